"""Rows for the delivery tests: a merchant, its complaints, and users assigned to it."""

from __future__ import annotations

import pytest

from complaints.models import Complaint
from merchants.models import Merchant
from tests.factories import (  # noqa: F401 (imported by the tests from here)
    assign,
    make_complaint,
    make_merchant,
    wire_merchant,
)


@pytest.fixture
def merchant(db) -> Merchant:
    return make_merchant()


@pytest.fixture
def complaint(merchant) -> Complaint:
    return make_complaint(merchant)


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
