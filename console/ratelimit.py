"""Pacing calls to WeChat Pay: one limiter per merchant and endpoint, shared by every process.

WeChat publishes per-minute limits for some complaint endpoints (spec §7.1) and answers 429 past
them. Delivery and sync both ask here first, so the console paces itself instead of collecting 429s.

The limiter lives in Django's cache: Redis in production (atomic `SET NX`), the file cache in
embedded mode (`make run` without Redis; `add` there is not strictly atomic between processes,
which is good enough for one machine's demo). Time is cut into slots of `60 / per_minute` seconds
and each slot admits one call, so no 60-second window ever holds more than `per_minute + 1` calls.
"""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# Published limits (§7.1); endpoints without one get a conservative default. Per minute.
DEFAULT_RATES: dict[str, int] = {
    "response": 60,
    "response-immediate-service": 60,
    "update-refund-progress": 60,
    "complete": 1500,
    "list": 200,
    "history": 200,
    "detail": 200,
    "upload": 60,
    "download": 200,
    "notification-url": 60,
    # Refunds (refund spec §8): 150 QPS create, 300 QPS query; order query unpublished.
    "refund-create": 9000,
    "refund-query": 18000,
    "order-query": 600,
}


class RateLimitTimeout(Exception):
    """The next free slot is further away than the caller is willing to wait."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"rate limit: next slot in {retry_after:.2f} s")


def rate_per_minute(endpoint: str) -> int | None:
    """The configured rate for an endpoint, or None when limits are off."""
    if not settings.WECHATPAY_RATE_LIMITS_ENABLED:
        return None
    rates = {**DEFAULT_RATES, **settings.WECHATPAY_RATE_LIMITS}
    rate = rates.get(endpoint)
    return rate if rate and rate > 0 else None


def rate_limit_try(*, mchid: str, endpoint: str, now: float | None = None) -> float:
    """Take a slot for one call now if one is free. Returns 0.0 when the call may go ahead,
    otherwise the seconds until the next slot (nothing is taken then)."""
    rate = rate_per_minute(endpoint)
    if rate is None:
        return 0.0
    interval = 60.0 / rate
    now = time.time() if now is None else now
    slot = math.floor(now / interval)
    key = f"wechatpay-rl:{mchid}:{endpoint}:{slot}"
    try:
        taken = cache.add(key, 1, timeout=max(2, math.ceil(interval * 2)))
    except Exception:  # noqa: BLE001 - a cache outage must not stop delivery; WeChat's 429 remains
        logger.warning("rate limiter unavailable for %s %s; not pacing", mchid, endpoint)
        return 0.0
    if taken:
        return 0.0
    return max((slot + 1) * interval - now, 0.001)


def rate_limit_wait(*, mchid: str, endpoint: str, max_wait: float = 30.0) -> float:
    """Block until a slot is taken; return the seconds waited. Raise RateLimitTimeout when the
    wait would pass `max_wait` (a task should then re-enqueue itself instead of sleeping)."""
    waited = 0.0
    while True:
        delay = rate_limit_try(mchid=mchid, endpoint=endpoint)
        if delay == 0.0:
            return waited
        if waited + delay > max_wait:
            raise RateLimitTimeout(delay)
        time.sleep(delay)
        waited += delay
