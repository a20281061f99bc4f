"""Rows for the composer tests: merchants, complaints, assigned users, a sandbox merchant."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from complaints.models import Complaint
from console.roles import ADMIN, AGENT, SUPERVISOR
from merchants.models import Merchant, MerchantAssignment
from tests.fixtures.users import make_user

# Smallest valid images of each accepted kind (headers only matter for the checks and the upload).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
BMP = b"BM" + b"\x00" * 60


def make_merchant(mchid: str | None = None, **fields) -> Merchant:
    mchid = mchid or "19" + str(secrets.randbelow(10**8)).zfill(8)
    return Merchant.objects.create(mchid=mchid, name=f"Shop {mchid}", **fields)


def make_complaint(merchant: Merchant, **fields) -> Complaint:
    now = timezone.now()
    values = {
        "merchant": merchant,
        "complaint_id": "2002" + str(secrets.randbelow(10**20)).zfill(20),
        "complainted_mchid": merchant.mchid,
        "complaint_time": now - timedelta(hours=5, minutes=10),
        "complaint_detail": "The power bank did not work",
        "problem_description": "Power bank broken",
        "out_trade_no": "ORDER-7788",
        "amount": 1234,
        "need_immediate_service": True,
        "first_reply_due_at": now + timedelta(hours=24),
        "complete_due_at": now + timedelta(hours=72),
    }
    values.update(fields)
    return Complaint.objects.create(**values)


def assign(user, merchant: Merchant) -> None:
    MerchantAssignment.objects.get_or_create(user=user, merchant=merchant)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def merchant(db) -> Merchant:
    return make_merchant()


@pytest.fixture
def other_merchant(db) -> Merchant:
    return make_merchant()


@pytest.fixture
def complaint(merchant) -> Complaint:
    return make_complaint(merchant)


@pytest.fixture
def plain_complaint(merchant) -> Complaint:
    return make_complaint(merchant, need_immediate_service=False)


@pytest.fixture
def agent_a(merchant):
    user = make_user("agent_of_a", AGENT)
    assign(user, merchant)
    return user


@pytest.fixture
def agent_b(other_merchant):
    user = make_user("agent_of_b", AGENT)
    assign(user, other_merchant)
    return user


@pytest.fixture
def supervisor_a(merchant):
    user = make_user("supervisor_of_a", SUPERVISOR)
    assign(user, merchant)
    return user


@pytest.fixture
def supervisor_b(other_merchant):
    user = make_user("supervisor_of_b", SUPERVISOR)
    assign(user, other_merchant)
    return user


@pytest.fixture
def admin_a(merchant):
    user = make_user("admin_of_a", ADMIN)
    assign(user, merchant)
    return user


@pytest.fixture
def sandbox_backed_merchant(db, sandbox_merchant):
    """A console merchant whose active credentials talk to the sandbox over real HTTP."""
    from merchants.credentials import parse_credentials
    from merchants.services import credential_add

    merchant = make_merchant(
        sandbox_merchant.mchid, api_base_url=sandbox_merchant.base_url, backup_api_base_url=""
    )
    parsed = parse_credentials(
        private_key_pem=sandbox_merchant.private_key_pem,
        certificate_pem=sandbox_merchant.certificate_pem,
        apiv3_key=sandbox_merchant.apiv3_key,
        wechatpay_public_key_id=sandbox_merchant.platform_public_key_id,
        wechatpay_public_key_pem=sandbox_merchant.platform_public_key_pem,
        platform_certificates_pem=sandbox_merchant.platform_certificate_pem,
    )
    credential_add(merchant=merchant, parsed=parsed)
    return merchant
