"""Per-merchant, per-endpoint rate limits at the rates WeChat publishes (spec §7.1)."""

from __future__ import annotations

import threading
import time
from collections import deque

# endpoint name -> calls per minute; endpoints without a published rate are not limited.
PUBLISHED_RATES = {
    "list": 200,
    "history": 200,
    "response": 60,
    "response_immediate_service": 60,
    "upload": 60,
    "complete": 1500,
    # Refunds (refund spec §8): 150 QPS to create, 300 QPS to query; order queries unpublished.
    "refund_create": 150 * 60,
    "refund_query": 300 * 60,
}
WINDOW = 60.0


class RateLimiter:
    """A sliding one-minute window per (mchid, endpoint)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[tuple[str, str], deque[float]] = {}

    def allow(self, mchid: str, endpoint: str, now: float | None = None) -> bool:
        rate = PUBLISHED_RATES.get(endpoint)
        if rate is None:
            return True
        now = time.monotonic() if now is None else now
        with self._lock:
            calls = self._calls.setdefault((mchid, endpoint), deque())
            while calls and calls[0] <= now - WINDOW:
                calls.popleft()
            if len(calls) >= rate:
                return False
            calls.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
