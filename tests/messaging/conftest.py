"""Rows for the composer tests: merchants, complaints, assigned users, a sandbox merchant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import Complaint
from console.roles import ADMIN, AGENT, SUPERVISOR
from merchants.models import Merchant
from tests import factories
from tests.factories import (  # noqa: F401 (imported by the tests from here)
    assign,
    logged_in,
    make_merchant,
    wire_merchant,
)
from tests.fixtures.users import make_user

# Smallest valid images of each accepted kind (headers only matter for the checks and the upload).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
BMP = b"BM" + b"\x00" * 60


def make_complaint(merchant: Merchant, **fields) -> Complaint:
    """Composer complaints: immediate service, an order and five hours of waiting by default."""
    now = timezone.now()
    values = {
        "complaint_time": now - timedelta(hours=5, minutes=10),
        "problem_description": "Power bank broken",
        "out_trade_no": "ORDER-7788",
        "amount": 1234,
        "need_immediate_service": True,
    }
    return factories.make_complaint(merchant, **{**values, **fields})


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
    return wire_merchant(sandbox_merchant, with_platform_certificate=True)
