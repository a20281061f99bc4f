"""Rows for the delivery tests: a merchant, its complaints, and users assigned to it."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import Complaint
from merchants.models import Merchant, MerchantAssignment


def make_merchant(mchid: str | None = None, **fields) -> Merchant:
    mchid = mchid or "19" + str(secrets.randbelow(10**8)).zfill(8)
    return Merchant.objects.create(mchid=mchid, name=f"Shop {mchid}", **fields)


def make_complaint(merchant: Merchant, complaint_id: str | None = None, **fields) -> Complaint:
    now = timezone.now()
    values = {
        "merchant": merchant,
        "complaint_id": complaint_id or "2002" + str(secrets.randbelow(10**20)).zfill(20),
        "complainted_mchid": merchant.mchid,
        "complaint_time": now,
        "complaint_detail": "The power bank did not work",
        "first_reply_due_at": now + timedelta(hours=24),
        "complete_due_at": now + timedelta(hours=72),
    }
    values.update(fields)
    return Complaint.objects.create(**values)


def assign(user, merchant: Merchant) -> None:
    MerchantAssignment.objects.get_or_create(user=user, merchant=merchant)


@pytest.fixture
def merchant(db) -> Merchant:
    return make_merchant()


@pytest.fixture
def complaint(merchant) -> Complaint:
    return make_complaint(merchant)


# --- the sandbox, wired to a console merchant with real credentials -------------------------

from tests.fixtures.sandbox import SandboxMerchant  # noqa: E402 (fixtures: root conftest)


def wire_merchant(account: SandboxMerchant) -> Merchant:
    """A console merchant whose active credential set talks to the sandbox."""
    from merchants.credentials import parse_credentials
    from merchants.services import credential_add

    merchant = make_merchant(
        mchid=account.mchid, api_base_url=account.base_url, backup_api_base_url=""
    )
    parsed = parse_credentials(
        private_key_pem=account.private_key_pem,
        certificate_pem=account.certificate_pem,
        apiv3_key=account.apiv3_key,
        wechatpay_public_key_id=account.platform_public_key_id,
        wechatpay_public_key_pem=account.platform_public_key_pem,
    )
    credential_add(merchant=merchant, parsed=parsed)
    return merchant


def sandbox_complaint(sandbox, merchant: Merchant, **options) -> Complaint:
    """A complaint created in the sandbox and mirrored as a console row (as sync would)."""
    (complaint_id,) = sandbox.control.create_complaints(merchant.mchid, 1, **options)
    return make_complaint(
        merchant,
        complaint_id=complaint_id,
        need_immediate_service=options.get("need_immediate_service", False),
        problem_type=options.get("problem_type") or "",
    )


@pytest.fixture
def wired(db, sandbox, sandbox_merchant) -> Merchant:
    return wire_merchant(sandbox_merchant)
