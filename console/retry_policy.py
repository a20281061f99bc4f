"""The one retry policy for calls to WeChat Pay (replies and refunds): attempts, backoff with
jitter, leases. Defaults from settings.REPLY_DELIVERY; refunds add REFUND_DELIVERY on top."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from datetime import timedelta

from django.conf import settings


@dataclass(frozen=True)
class DeliverySettings:
    max_attempts: int = 8
    backoff_base: float = 2.0  # seconds before the 2nd attempt; doubles per attempt
    backoff_cap: float = 600.0  # well below the broker's visibility timeout (1 h)
    lease_seconds: float = 60.0  # longer than one request with its timeouts and history check
    queue_lease_seconds: float = 120.0  # a queued row untouched this long is re-enqueued
    sweep_batch: int = 500
    throttle_wait_seconds: float = 5.0  # wait this long in the task for a rate-limit slot
    throttle_spread_seconds: float = 10.0  # then re-enqueue, spread so a backlog does not spin
    history_clock_skew_seconds: float = 300.0

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    @property
    def queue_lease(self) -> timedelta:
        return timedelta(seconds=self.queue_lease_seconds)


def delivery_settings(extra: str = "") -> DeliverySettings:
    """Defaults overridden by settings.REPLY_DELIVERY (a dict; the env var holds JSON), then by
    the setting named `extra` if given (refunds pass "REFUND_DELIVERY")."""
    overrides = dict(getattr(settings, "REPLY_DELIVERY", None) or {})
    overrides.update((getattr(settings, extra, None) or {}) if extra else {})
    known = {f.name for f in fields(DeliverySettings)}
    return DeliverySettings(**{k: v for k, v in overrides.items() if k in known})


def backoff_seconds(attempt: int, conf: DeliverySettings | None = None) -> float:
    """Exponential backoff with full jitter in its upper half: [d/2, d], d = base·2^(n-1)."""
    conf = conf or delivery_settings()
    ceiling = min(conf.backoff_cap, conf.backoff_base * (2 ** max(attempt - 1, 0)))
    return ceiling / 2 + random.random() * ceiling / 2
