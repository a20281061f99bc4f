"""Rows for the composer tests: merchants, complaints, assigned users, a sandbox merchant and an
immediate-service complaint it serves."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from complaints.models import Complaint
from complaints.services.sync import complaint_refresh
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

# Small valid images of each accepted kind, drawn by Pillow (which judges uploads by content).


def _drawn(format: str, size: tuple[int, int] = (3, 2)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format)
    return out.getvalue()


PNG = _drawn("PNG", (1, 1))
JPEG = _drawn("JPEG")
BMP = _drawn("BMP")


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


@pytest.fixture
def immediate_complaint(sandbox, sandbox_backed_merchant):
    """A complaint that needs immediate service, created in the sandbox and ingested."""
    mchid = sandbox_backed_merchant.mchid
    (complaint_id,) = sandbox.control.create_complaints(
        mchid, 1, need_immediate_service=True, problem_type="SERVICE_NOT_WORK"
    )
    return complaint_refresh(merchant=sandbox_backed_merchant, complaint_id=complaint_id)
