"""Calls to WeChat Pay for ingestion: paced by the shared limiter (console/ratelimit.py) and
retried on transient failures (5xx, 429, timeouts) with capped, jittered backoff."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import TypeVar

from django.conf import settings

import wechatpay
from console.ratelimit import rate_limit_wait
from console.retry import backoff_seconds
from merchants.models import Merchant
from merchants.services import wechatpay_client

logger = logging.getLogger(__name__)
T = TypeVar("T")

LIST_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 300
# Our names for the calls -> the shared limiter's endpoint names (console/ratelimit.py).
ENDPOINTS = {"list": "list", "history": "history", "detail": "detail", "image": "download"}


def throttle(mchid: str, endpoint: str, *, max_wait: float = 120.0) -> float:
    """Wait for this merchant's next free slot on `endpoint` (WeChat's per-minute limits, §7.1),
    shared with delivery across every process. Returns the seconds waited."""
    return rate_limit_wait(mchid=mchid, endpoint=ENDPOINTS[endpoint], max_wait=max_wait)


def retry_delay(attempt: int, error: wechatpay.WechatPayError) -> float:
    """The console's one backoff (console/retry.py) after failed try `attempt` (0 for the
    first); a 429 waits at least two base periods, so a full limiter has time to free a slot."""
    base = settings.COMPLAINTS_RETRY_BASE_SECONDS
    delay = backoff_seconds(attempt + 1, base=base, cap=settings.COMPLAINTS_RETRY_CAP_SECONDS)
    if isinstance(error, wechatpay.ApiError) and error.status == 429:
        delay = max(delay, base * 2)
    return delay


def with_retries(
    call: Callable[[], T],
    *,
    what: str,
    attempts: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`; retry only what WeChat says is transient. The last error is raised, never
    swallowed: a page that keeps failing stops the sync instead of being skipped."""
    attempts = attempts or settings.COMPLAINTS_RETRY_ATTEMPTS
    for attempt in range(attempts):
        try:
            return call()
        except wechatpay.WechatPayError as exc:
            if not exc.retryable or attempt == attempts - 1:
                raise
            delay = retry_delay(attempt, exc)
            logger.warning("%s failed (%s), retry %d in %.1f s", what, exc, attempt + 1, delay)
            sleep(delay)
    raise AssertionError("unreachable")


def client_for(merchant: Merchant) -> wechatpay.Client:
    return wechatpay_client(merchant)


def fetch_detail(merchant: Merchant, complaint_id: str) -> wechatpay.Complaint:
    client = client_for(merchant)

    def call() -> wechatpay.Complaint:
        throttle(merchant.mchid, "detail")
        return client.get_complaint(complaint_id)

    return with_retries(call, what=f"detail of {complaint_id}")


def fetch_history(merchant: Merchant, complaint_id: str) -> list[wechatpay.HistoryEntry]:
    client = client_for(merchant)

    def call() -> list[wechatpay.HistoryEntry]:
        entries = []
        pages = client.iter_negotiation_history(complaint_id, page_size=HISTORY_PAGE_SIZE)
        throttle(merchant.mchid, "history")
        for entry in pages:
            entries.append(entry)
            if len(entries) % HISTORY_PAGE_SIZE == 0:
                throttle(merchant.mchid, "history")
        return entries

    return with_retries(call, what=f"history of {complaint_id}")


def _paced(merchant: Merchant, items: Iterator[T], page_size: int, endpoint: str) -> list[T]:
    """Drain a paging iterator, asking the pacer before each page is fetched."""
    result: list[T] = []
    while True:
        if len(result) % page_size == 0:
            throttle(merchant.mchid, endpoint)
        try:
            result.append(next(items))
        except StopIteration:
            return result


def fetch_window(merchant: Merchant, begin: date, end: date) -> list[wechatpay.Complaint]:
    """Every complaint created in [begin, end] (≤ 30 days); a failed page restarts the window,
    which is harmless since storing a complaint twice changes nothing."""
    client = client_for(merchant)

    def call() -> list[wechatpay.Complaint]:
        pages = client.iter_complaints(begin=begin, end=end, page_size=LIST_PAGE_SIZE)
        return _paced(merchant, pages, LIST_PAGE_SIZE, "list")

    return with_retries(call, what=f"complaint list {begin}..{end} of {merchant.mchid}")


def download_image(
    merchant: Merchant, url: str, *, max_wait: float = 120.0
) -> wechatpay.DownloadedImage:
    """Raises RateLimitTimeout when the next free slot is more than `max_wait` away."""
    client = client_for(merchant)

    def call() -> wechatpay.DownloadedImage:
        throttle(merchant.mchid, "image", max_wait=max_wait)
        return client.download_image(url)

    return with_retries(call, what="complaint image", attempts=3)
