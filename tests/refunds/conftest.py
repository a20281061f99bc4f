"""Rows for the refund tests: a merchant, a complaint with an order, agents and supervisors."""

from __future__ import annotations

import secrets
import uuid

import pytest

from complaints.models import Complaint
from console.roles import AGENT, SUPERVISOR
from merchants.models import Merchant
from refunds.models import RefundLimits
from refunds.services import refund_request
from tests.factories import assign, make_complaint, make_merchant, wire_merchant
from tests.fixtures.users import make_user


def order_complaint(merchant: Merchant, amount: int = 10000, **fields) -> Complaint:
    digits = str(secrets.randbelow(10**24)).zfill(24)
    values = {
        "transaction_id": f"4200{digits}",
        "out_trade_no": f"ORDER{digits[:12]}",
        "amount": amount,
        "complaint_order_info": [
            {
                "transaction_id": f"4200{digits}",
                "out_trade_no": f"ORDER{digits[:12]}",
                "amount": amount,
            }
        ],
    }
    values.update(fields)
    return make_complaint(merchant, **values)


def set_limits(merchant: Merchant, per_refund: int, per_day: int) -> None:
    RefundLimits.objects.update_or_create(
        merchant=merchant, defaults={"per_refund": per_refund, "per_day": per_day}
    )


def ask(complaint, user, amount, **overrides):
    values = {
        "complaint": complaint,
        "user": user,
        "amount": amount,
        "reason": "Goods not received",
        "request_key": uuid.uuid4(),
    }
    values.update(overrides)
    return refund_request(**values)


@pytest.fixture
def merchant(db) -> Merchant:
    merchant = make_merchant()
    set_limits(merchant, per_refund=5000, per_day=8000)
    return merchant


@pytest.fixture
def complaint(merchant) -> Complaint:
    return order_complaint(merchant)


def staff_of(merchant: Merchant) -> dict:
    users = {
        "agent": make_user("agent_r", AGENT),
        "agent2": make_user("agent_r2", AGENT),
        "supervisor": make_user("supervisor_r", SUPERVISOR),
        "supervisor2": make_user("supervisor_r2", SUPERVISOR),
    }
    for user in users.values():
        assign(user, merchant)
    return users


@pytest.fixture
def people(merchant) -> dict:
    return staff_of(merchant)


@pytest.fixture
def staff(wired) -> dict:
    """The same people, working the sandbox-wired merchant."""
    return staff_of(wired)


@pytest.fixture
def wired(db, sandbox, sandbox_merchant) -> Merchant:
    """A merchant talking to the sandbox over real HTTP (its credentials, its keys)."""
    merchant = wire_merchant(sandbox_merchant)
    set_limits(merchant, per_refund=5000, per_day=8000)
    return merchant
