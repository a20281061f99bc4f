"""The one retry policy for calls to WeChat Pay (replies and refunds): attempts, backoff with
jitter, leases. Defaults from settings.REPLY_DELIVERY; refunds add REFUND_DELIVERY on top."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta

from django.conf import settings

from console import retry


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
    overrides = dict(settings.REPLY_DELIVERY or {})
    overrides.update((getattr(settings, extra) or {}) if extra else {})
    known = {f.name for f in fields(DeliverySettings)}
    return DeliverySettings(**{k: v for k, v in overrides.items() if k in known})


def backoff_seconds(attempt: int, conf: DeliverySettings | None = None) -> float:
    """The console's one backoff (console/retry.py) with delivery's base and cap."""
    conf = conf or delivery_settings()
    return retry.backoff_seconds(attempt, base=conf.backoff_base, cap=conf.backoff_cap)
