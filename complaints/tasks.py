"""Celery tasks of the complaints app. Names are stable (a test pins them); arguments are ids."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

import wechatpay
from complaints.services import complaint_refresh, merchant_sync, sla_sweep
from complaints.services.images import FETCH_TASK, complaint_image_fetch
from complaints.services.notifications import REFRESH_TASK
from console.retry import backoff_seconds
from merchants.models import Merchant

logger = logging.getLogger(__name__)
SYNC_LOCK_SECONDS = 30 * 60


@shared_task(name=REFRESH_TASK, bind=True, acks_late=True, max_retries=8)
def refresh_complaint(self, merchant_id: int, complaint_id: str) -> None:
    """Fetch a complaint's detail and new history (queued by the webhook)."""
    merchant = Merchant.objects.filter(pk=merchant_id).first()
    if merchant is None:
        logger.warning("refresh of %s: merchant %s is gone", complaint_id, merchant_id)
        return
    try:
        complaint_refresh(merchant=merchant, complaint_id=complaint_id)
    except wechatpay.WechatPayError as exc:
        if not exc.retryable:
            logger.error("refresh of %s failed for good: %s", complaint_id, exc)
            return
        # In-process retries are exhausted: try again later, well under the visibility timeout.
        countdown = backoff_seconds(self.request.retries + 1, base=120.0, cap=900.0)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="complaints.sync_merchant", acks_late=True)
def sync_merchant(merchant_id: int) -> None:
    """Page through one merchant's complaint list (incremental after its first run)."""
    merchant = Merchant.objects.filter(pk=merchant_id, active=True).first()
    if merchant is None:
        return
    lock = f"complaints-sync-lock:{merchant_id}"
    if not cache.add(lock, 1, timeout=SYNC_LOCK_SECONDS):
        logger.info("sync of %s already running", merchant.mchid)
        return
    try:
        result = merchant_sync(merchant=merchant)
        logger.info(
            "sync of %s %s..%s: %d seen, %d changed",
            merchant.mchid,
            result.begin,
            result.end,
            result.seen,
            result.changed,
        )
    finally:
        cache.delete(lock)


@shared_task(name="complaints.sync_all_merchants")
def sync_all_merchants() -> None:
    """Beat: one sync task per active merchant."""
    for merchant_id in Merchant.objects.filter(active=True).values_list("pk", flat=True):
        sync_merchant.delay(merchant_id)


@shared_task(name="complaints.sweep_sla")
def sweep_sla() -> int:
    """Beat: mark complaints due soon and overdue."""
    return sla_sweep()


@shared_task(name=FETCH_TASK, ignore_result=True)
def fetch_image(image_id: int) -> None:
    """Fetch one complaint image from WeChat Pay (queued when an agent opens the complaint)."""
    complaint_image_fetch(image_id=image_id)
