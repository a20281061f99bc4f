"""The console's one retry backoff, for every call to WeChat Pay that is tried again: delivery
of replies and refunds (console/retry_policy.py), ingestion's in-process retries and the
refresh task's retries (complaints). Only the base and the cap differ between them."""

from __future__ import annotations

import random


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 for the first): exponential,
    capped, with jitter in the upper half so retries spread out: [d/2, d], d = min(cap,
    base·2^(attempt-1))."""
    ceiling = min(cap, base * (2 ** max(attempt - 1, 0)))
    return ceiling / 2 + random.random() * ceiling / 2
