"""Sending a refund to WeChat Pay: at-least-once transport, exactly-once effect.

One attempt = claim the row under a lease, POST the refund with its own out_refund_no, record the
attempt, then apply WeChat's answer, schedule a retry (same out_refund_no) or mark it refused.
WeChat Pay answers a repeated out_refund_no with the refund it already has (spec §4.5), so a
retry after a timeout, a 500 or a killed worker never makes a second refund. Refused or final
refunds are never sent again; a refund whose lease ran out is re-enqueued by the sweeper.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from complaints.models import TimelineEvent
from console.ratelimit import RateLimitTimeout, rate_limit_wait, rate_per_minute
from console.retry_policy import DeliverySettings, backoff_seconds, delivery_settings
from merchants.services import NoActiveCredentials
from refunds.models import Refund, RefundAttempt
from refunds.services import status as outcomes
from refunds.services import wechat
from refunds.services.events import refund_announce
from refunds.services.sweeper import enqueue_later
from wechatpay import ApiError, CallInfo, TransportError, WechatPayError

logger = logging.getLogger(__name__)
Outcome = RefundAttempt.Outcome
Status = Refund.Status
ClientFactory = Callable[[Any], Any]
APPROVE_WAIT_SECONDS = 3.0
ENDPOINT = "refund-create"


@dataclass
class AttemptResult:
    outcome: str
    answer: wechat.RefundAnswer | None = None
    http_status: int | None = None
    code: str = ""
    message: str = ""
    request_id: str = ""
    error: str = ""
    retry_after: float = 0.0


def _conf() -> DeliverySettings:
    return delivery_settings("REFUND_DELIVERY")


def refund_deliver(*, refund_id: int, client_factory: ClientFactory | None = None) -> str:
    """Make one attempt for a refund if it needs one. Returns what happened: "skipped",
    "waiting" (for its APPROVE reply), "throttled", or the attempt's outcome."""
    refund = Refund.objects.select_related("merchant").filter(pk=refund_id).first()
    if refund is None or refund.status not in Refund.SENDING_STATUSES:
        return "skipped"
    conf = _conf()
    if not _approve_settled(refund):
        _later(refund, APPROVE_WAIT_SECONDS, conf)
        return "waiting"
    try:
        rate_limit_wait(
            mchid=refund.merchant.mchid, endpoint=ENDPOINT, max_wait=conf.throttle_wait_seconds
        )
    except RateLimitTimeout as exc:
        _later(refund, exc.retry_after + random.uniform(0, conf.throttle_spread_seconds), conf)
        return "throttled"
    attempt = _claim(refund_id)
    if attempt is None:
        return "skipped"
    started = time.monotonic()
    calls: list[CallInfo] = []
    result = _attempt(attempt.refund, client_factory or wechat.default_client, calls)
    # The client reports each answered call: the attempt shows the POST's status and
    # Request-ID, also on success.
    posts = [call for call in calls if call.method == "POST"]
    if posts and result.http_status is None:
        result.http_status = posts[-1].status
    if posts and not result.request_id:
        result.request_id = posts[-1].request_id
    _record(attempt, result, int((time.monotonic() - started) * 1000))
    return result.outcome


def _approve_settled(refund: Refund) -> bool:
    """A refund-request complaint's APPROVE goes first: wait until WeChat Pay has answered it."""
    if refund.approve_reply_id is None:
        return True
    return TimelineEvent.objects.filter(
        complaint_id=refund.complaint_id,
        kind__in=(TimelineEvent.Kind.REPLY_DELIVERED, TimelineEvent.Kind.REPLY_FAILED),
        data__reply_id=refund.approve_reply_id,
    ).exists()


def _later(refund: Refund, countdown: float, conf: DeliverySettings) -> None:
    """Not stuck, only waiting: keep the sweeper off the row meanwhile."""
    Refund.objects.filter(pk=refund.pk, status__in=(Status.QUEUED, Status.RETRYING)).update(
        lease_until=timezone.now() + timedelta(seconds=countdown) + conf.queue_lease
    )
    enqueue_later(refund.pk, countdown)


def _claim(refund_id: int) -> RefundAttempt | None:
    """Take the refund for one attempt under a lease; the attempt row is written first, so a
    worker killed mid-request leaves an attempt whose outcome is unknown, never a gap."""
    conf = _conf()
    with transaction.atomic():
        refund = (
            # of=self: a join's FOR UPDATE would lock the merchant and complaint rows too, in
            # no set order, against every other transaction on the merchant (deadlocks).
            Refund.objects.select_for_update(of=("self",))
            .select_related("complaint", "merchant")
            .filter(pk=refund_id)
            .first()
        )
        now = timezone.now()
        if refund is None or refund.status not in Refund.SENDING_STATUSES:
            return None
        if refund.status == Status.SENDING and refund.lease_until and refund.lease_until > now:
            return None  # another worker is sending it right now
        if (
            refund.status == Status.RETRYING
            and refund.next_attempt_at
            and refund.next_attempt_at > now + timedelta(seconds=1)
        ):
            return None  # an early duplicate message; the scheduled one will come
        refund.attempt_count += 1
        refund.status = Status.SENDING
        refund.lease_until = now + conf.lease
        refund.next_attempt_at = None
        refund.save(update_fields=["attempt_count", "status", "lease_until", "next_attempt_at"])
        refund_announce(refund)
        return RefundAttempt.objects.create(
            refund=refund,
            number=refund.attempt_count,
            started_at=now,
            outcome=Outcome.UNKNOWN,
            error="in progress",
        )


def _configuration_errors() -> tuple[type[Exception], ...]:
    return (NoActiveCredentials, ImproperlyConfigured, ObjectDoesNotExist, LookupError)


def _attempt(refund: Refund, client_factory: ClientFactory, calls: list[CallInfo]) -> AttemptResult:
    try:
        client = client_factory(refund.merchant)
        with client.recording() as recorded:
            try:
                answer = wechat.create_refund(client, refund)
            finally:
                calls.extend(recorded)
        return AttemptResult(Outcome.ACCEPTED, answer=answer)
    except ApiError as exc:
        result = AttemptResult(
            Outcome.RETRYABLE if exc.retryable else Outcome.FINAL,
            http_status=exc.status,
            code=exc.code,
            message=exc.message[:1000],
            request_id=exc.request_id or "",
        )
        if exc.status == 429:
            result.retry_after = 60.0 / (rate_per_minute(ENDPOINT) or 60)
        return result
    except TransportError as exc:  # it may or may not have reached WeChat Pay
        return AttemptResult(Outcome.UNKNOWN, code="TRANSPORT", error=str(exc)[:1000])
    except WechatPayError as exc:
        return AttemptResult(
            Outcome.FINAL,
            code=outcomes.code_for_exception(exc),
            message=str(exc)[:1000],
            request_id=getattr(exc, "request_id", None) or "",
            error=type(exc).__name__,
        )
    except _configuration_errors() as exc:
        return AttemptResult(
            Outcome.FINAL, code="CONFIGURATION", message=str(exc)[:1000], error=type(exc).__name__
        )
    except Exception as exc:  # a bug of ours: recorded; retries are bounded by max_attempts
        logger.exception("refund %s: unexpected error while sending", refund.pk)
        return AttemptResult(Outcome.UNKNOWN, code="INTERNAL", error=repr(exc)[:1000])


def _record(attempt: RefundAttempt, result: AttemptResult, duration_ms: int) -> None:
    conf = _conf()
    with transaction.atomic():
        outcomes.lock_complaint_of(attempt.refund)
        refund = Refund.objects.select_for_update(of=("self",)).select_related(
            "complaint", "merchant"
        )
        refund = refund.get(pk=attempt.refund_id)
        RefundAttempt.objects.filter(pk=attempt.pk).update(
            outcome=result.outcome,
            duration_ms=duration_ms,
            http_status=result.http_status,
            wechat_code=result.code[:64],
            wechat_message=result.message,
            request_id=result.request_id[:128],
            error=result.error,
        )
        if result.answer is not None:
            outcomes.refund_apply_answer(refund=refund, answer=result.answer, source="create")
            return
        if refund.status != Status.SENDING or refund.attempt_count != attempt.number:
            return  # settled meanwhile (a notification), or another attempt took over
        if result.outcome == Outcome.FINAL:
            outcomes.refund_mark_failed(refund=refund, code=result.code, message=result.message)
        elif refund.attempt_count >= conf.max_attempts:
            outcomes.refund_mark_failed(
                refund=refund,
                code=outcomes.RETRIES_EXHAUSTED,
                message=f"{result.code or result.http_status}: {result.message or result.error}",
            )
        else:
            delay = max(backoff_seconds(refund.attempt_count, conf), result.retry_after)
            now = timezone.now()
            refund.status = Status.RETRYING
            refund.next_attempt_at = now + timedelta(seconds=delay)
            refund.lease_until = refund.next_attempt_at + conf.queue_lease
            refund.save(update_fields=["status", "next_attempt_at", "lease_until"])
            refund_announce(refund)
            transaction.on_commit(lambda: enqueue_later(refund.pk, delay))
