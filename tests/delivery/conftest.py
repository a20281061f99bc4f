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
