"""The list sync against the sandbox over real HTTP: complete, idempotent, paced, retried."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

import wechatpay
from complaints.models import Complaint, HistoryEntry, MerchantSyncState
from complaints.services import merchant_sync
from complaints.services.sync import sync_begin
from complaints.services.wechat import throttle
from complaints.tasks import sync_merchant

LIST_PREFIX = "/v3/merchant-service/complaints-v2?"


@pytest.fixture
def fast(settings, sandbox):
    """Pacing off on both sides (the pacing has its own test) and quick retries."""
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False
    settings.COMPLAINTS_RETRY_BASE_SECONDS = 0.01
    sandbox.control.settings(rate_limits=False)


def snapshot(merchant) -> tuple[list[dict], int]:
    rows = list(Complaint.objects.filter(merchant=merchant).order_by("pk").values())
    return rows, HistoryEntry.objects.filter(complaint__merchant=merchant).count()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_syncing_500_complaints_is_complete_and_a_second_run_changes_nothing(
    sandbox, wired, fast, monkeypatch, start_worker
):
    monkeypatch.setenv("WECHATPAY_RATE_LIMITS_ENABLED", "false")  # for the worker process
    created = set(sandbox.control.create_complaints(wired.mchid, 500))
    start_worker()

    sync_merchant.delay(wired.pk)
    deadline = time.monotonic() + 300
    while not MerchantSyncState.objects.filter(merchant=wired, last_finished_at__isnull=False):
        assert time.monotonic() < deadline, "the worker did not finish the sync in time"
        time.sleep(0.5)

    stored = set(Complaint.objects.filter(merchant=wired).values_list("complaint_id", flat=True))
    assert stored == created
    with_history = HistoryEntry.objects.filter(complaint__merchant=wired).values("complaint")
    assert with_history.distinct().count() == 500
    before = snapshot(wired)

    out = StringIO()
    call_command("sync_complaints", merchant=wired.mchid, stderr=StringIO(), stdout=out)

    assert "500 complaints, 0 changed" in out.getvalue()
    assert snapshot(wired) == before


@pytest.mark.django_db(transaction=True)
def test_a_rate_limited_page_is_retried_not_skipped(sandbox, wired, fast):
    created = set(sandbox.control.create_complaints(wired.mchid, 60))  # two pages of 50
    sandbox.control.set_faults({"mode": "rate_limited", "count": 2, "path_prefix": LIST_PREFIX})

    result = merchant_sync(merchant=wired)

    assert result.seen == 60
    stored = set(Complaint.objects.filter(merchant=wired).values_list("complaint_id", flat=True))
    assert stored == created


@pytest.mark.django_db(transaction=True)
def test_a_page_that_keeps_failing_stops_the_sync_and_keeps_the_mark(
    sandbox, wired, fast, settings
):
    settings.COMPLAINTS_RETRY_ATTEMPTS = 2
    sandbox.control.create_complaints(wired.mchid, 3)
    sandbox.control.set_faults({"mode": "system_error", "path_prefix": LIST_PREFIX})

    with pytest.raises(wechatpay.ApiError):
        merchant_sync(merchant=wired)

    state = MerchantSyncState.objects.get(merchant=wired)
    assert state.synced_through is None
    assert state.last_error


@pytest.mark.django_db(transaction=True)
def test_after_the_first_run_the_sync_is_incremental(sandbox, wired, fast):
    merchant_sync(merchant=wired)
    state = MerchantSyncState.objects.get(merchant=wired)
    today = timezone.localdate()

    assert state.synced_through == today
    assert sync_begin(state, today, None) == today - timedelta(days=2)


@pytest.mark.django_db
def test_calls_are_paced_under_the_configured_rate(settings):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = True
    settings.WECHATPAY_RATE_LIMITS = {"list": 120}  # one call every 0.5 s
    mchid = f"pace{time.time_ns()}"

    started = time.monotonic()
    for _ in range(4):
        throttle(mchid, "list")

    assert time.monotonic() - started >= 1.0


def test_task_names_are_stable():
    from complaints import tasks

    assert tasks.refresh_complaint.name == "complaints.refresh_complaint"
    assert tasks.sync_merchant.name == "complaints.sync_merchant"
    assert tasks.sync_all_merchants.name == "complaints.sync_all_merchants"
    assert tasks.sweep_sla.name == "complaints.sweep_sla"
    assert tasks.fetch_image.name == "complaints.fetch_image"  # queued by name (services/images)
