"""Fetching complaints from WeChat: one (webhook follow-up) or a merchant's whole list."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

import wechatpay
from complaints.models import Complaint, MerchantSyncState
from complaints.services.ingest import complaint_ingest, complaint_needs_refresh
from complaints.services.wechat import fetch_detail, fetch_history, fetch_window
from merchants.models import Merchant
from wechatpay.client import date_windows

logger = logging.getLogger(__name__)


@dataclass
class SyncResult:
    begin: date
    end: date
    seen: int = 0
    changed: int = 0


def complaint_refresh(*, merchant: Merchant, complaint_id: str) -> Complaint:
    """Fetch one complaint's detail and history and store both (the webhook's follow-up)."""
    data = fetch_detail(merchant, complaint_id)
    history = fetch_history(merchant, complaint_id)
    return complaint_ingest(merchant=merchant, data=data, history=history)


def sync_begin(state: MerchantSyncState, today: date, since: date | None) -> date:
    """First run: the last N days; then incremental from shortly before where the last run ended
    (complaints created late on a day show up in the next run)."""
    if since is not None:
        return since
    if state.synced_through is None:
        return today - timedelta(days=settings.COMPLAINTS_SYNC_DAYS - 1)
    overlap = timedelta(days=settings.COMPLAINTS_SYNC_OVERLAP_DAYS)
    return min(state.synced_through - overlap, today)


def merchant_sync(
    *,
    merchant: Merchant,
    since: date | None = None,
    on_complaint: Callable[[wechatpay.Complaint, bool], None] | None = None,
) -> SyncResult:
    """Page through the merchant's complaint list window by window; store what changed, with its
    history. A window that keeps failing raises, and the progress mark is not advanced."""
    state, _ = MerchantSyncState.objects.get_or_create(merchant=merchant)
    today = timezone.localdate()
    result = SyncResult(begin=sync_begin(state, today, since), end=today)
    MerchantSyncState.objects.filter(pk=state.pk).update(last_started_at=timezone.now())
    try:
        for begin, end in date_windows(result.begin, result.end):
            for data in fetch_window(merchant, begin, end):
                changed = _sync_one(merchant, data)
                result.seen += 1
                result.changed += changed
                if on_complaint:
                    on_complaint(data, changed)
    except Exception as exc:
        MerchantSyncState.objects.filter(pk=state.pk).update(last_error=str(exc)[:2000])
        raise
    through = max(result.end, state.synced_through) if state.synced_through else result.end
    MerchantSyncState.objects.filter(pk=state.pk).update(
        synced_through=through,
        last_finished_at=timezone.now(),
        last_error="",
        last_seen=result.seen,
        last_changed=result.changed,
    )
    return result


def _sync_one(merchant: Merchant, data: wechatpay.Complaint) -> bool:
    if not complaint_needs_refresh(merchant=merchant, data=data):
        return False
    history = fetch_history(merchant, data.complaint_id)
    complaint_ingest(merchant=merchant, data=data, history=history)
    return True
