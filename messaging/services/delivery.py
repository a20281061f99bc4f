"""Delivering a reply row to WeChat Pay: at-least-once transport, exactly-once effect.

One attempt = claim the row under a lease, send the frozen payload, record the attempt, then
either mark the reply delivered, schedule a retry (same idempotent_id) or mark it failed. A
delivered or failed reply is never sent again; a reply whose lease ran out (worker killed, broker
lost the message) is re-enqueued by the sweeper. /response, /complete and update-refund-progress
have no idempotency key, so after an attempt with an unknown outcome the negotiation history is
checked before anything is sent again.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from complaints.models import Complaint
from console.ratelimit import RateLimitTimeout, rate_limit_try, rate_limit_wait, rate_per_minute
from console.retry_policy import DeliverySettings, backoff_seconds, delivery_settings
from merchants.services import wechatpay_client
from messaging.models import Reply, ReplyAttempt
from messaging.services import replies as outcomes
from messaging.services.sweeper import enqueue_later
from wechatpay import ApiError, CallInfo, TransportError, WechatPayError

logger = logging.getLogger(__name__)

Outcome = ReplyAttempt.Outcome
Status = Reply.Status


ClientFactory = Callable[[Any], Any]


def default_client(merchant: Any) -> Any:
    return wechatpay_client(merchant)


@dataclass
class AttemptResult:
    outcome: str
    log_id: str = ""
    http_status: int | None = None
    code: str = ""
    message: str = ""
    request_id: str = ""
    error: str = ""
    retry_after: float = 0.0


# --- the attempt ----------------------------------------------------------------------------


def reply_deliver(*, reply_id: int, client_factory: ClientFactory | None = None) -> str:
    """Make one delivery attempt for a reply if it needs one. Returns what happened:
    "skipped" (already final, or another worker holds it), "throttled", or the attempt outcome."""
    reply = Reply.objects.select_related("complaint", "merchant").filter(pk=reply_id).first()
    if reply is None or reply.status not in Reply.OPEN_STATUSES:
        return "skipped"
    conf = delivery_settings()
    try:  # a short wait paces a backlog in place; a long one goes back to the queue
        rate_limit_wait(
            mchid=reply.merchant.mchid, endpoint=reply.endpoint, max_wait=conf.throttle_wait_seconds
        )
    except RateLimitTimeout as exc:
        countdown = exc.retry_after + random.uniform(0, conf.throttle_spread_seconds)
        # Waiting for the limiter is not being stuck: keep the sweeper off this row meanwhile.
        Reply.objects.filter(pk=reply.pk, status__in=(Status.QUEUED, Status.RETRYING)).update(
            lease_until=timezone.now() + timedelta(seconds=countdown) + conf.queue_lease
        )
        enqueue_later(reply.pk, countdown)
        return "throttled"
    attempt = _claim(reply_id)
    if attempt is None:
        return "skipped"
    reply = attempt.reply
    started = time.monotonic()
    calls: list[CallInfo] = []
    result = _attempt(reply, client_factory or default_client, calls)
    duration_ms = int((time.monotonic() - started) * 1000)
    # The client reports each answered call (status, Request-ID): the attempt row shows the
    # POST's, also on success, when the result does not already name them.
    posts = [call for call in calls if call.method == "POST"]
    if posts and result.http_status is None and result.outcome == Outcome.DELIVERED:
        result.http_status = posts[-1].status
    if posts and not result.request_id:
        result.request_id = posts[-1].request_id
    _record(attempt, result, duration_ms)
    return result.outcome


def _claim(reply_id: int) -> ReplyAttempt | None:
    """Take the reply for one attempt under a lease, and write the attempt row first: a worker
    killed mid-request leaves an attempt whose outcome is unknown, never a silent gap."""
    conf = delivery_settings()
    with transaction.atomic():
        # The reply row only (a join would also lock its complaint and merchant rows).
        reply = (
            Reply.objects.select_for_update(of=("self",))
            .select_related("complaint", "merchant")
            .filter(pk=reply_id)
            .first()
        )
        now = timezone.now()
        if reply is None or reply.status not in Reply.OPEN_STATUSES:
            return None
        if reply.status == Status.SENDING and reply.lease_until and reply.lease_until > now:
            return None  # another worker is sending it right now
        if (
            reply.status == Status.RETRYING
            and reply.next_attempt_at
            and reply.next_attempt_at > now + timedelta(seconds=1)
        ):
            return None  # an early duplicate message; the scheduled one will come
        reply.attempt_count += 1
        reply.status = Status.SENDING
        reply.lease_until = now + conf.lease
        reply.next_attempt_at = None
        reply.save(update_fields=["attempt_count", "status", "lease_until", "next_attempt_at"])
        outcomes.reply_announce(reply)
        return ReplyAttempt.objects.create(
            reply=reply,
            number=reply.attempt_count,
            started_at=now,
            outcome=Outcome.UNKNOWN,
            error="in progress",
        )


def _attempt(reply: Reply, client_factory: ClientFactory, calls: list[CallInfo]) -> AttemptResult:
    try:
        client = client_factory(reply.merchant)
        with client.recording() as recorded:
            try:
                return _exchange(client, reply)
            finally:
                calls.extend(recorded)
    except ApiError as exc:
        return _api_error_result(exc, reply.endpoint)
    except TransportError as exc:
        # The request may or may not have reached WeChat: the outcome is unknown.
        return AttemptResult(Outcome.UNKNOWN, code="TRANSPORT", error=str(exc)[:1000])
    except WechatPayError as exc:
        return AttemptResult(
            Outcome.FINAL,
            code=outcomes.code_for_exception(exc),
            message=str(exc)[:1000],
            http_status=exc.call.status if exc.call else None,  # e.g. a 200 that did not verify
            request_id=exc.request_id or (exc.call.request_id if exc.call else ""),
            error=type(exc).__name__,
        )
    except outcomes.configuration_errors() as exc:
        return AttemptResult(
            Outcome.FINAL, code="CONFIGURATION", message=str(exc)[:1000], error=type(exc).__name__
        )
    except TypeError as exc:  # the frozen payload has a field the endpoint does not take
        return AttemptResult(
            Outcome.FINAL, code="INVALID_PAYLOAD", message=str(exc)[:1000], error="TypeError"
        )
    except Exception as exc:  # a bug of ours: record it; retries are bounded by max_attempts
        logger.exception("reply %s: unexpected error during delivery", reply.pk)
        return AttemptResult(Outcome.UNKNOWN, code="INTERNAL", error=repr(exc)[:1000])


def _api_error_result(exc: ApiError, endpoint: str) -> AttemptResult:
    result = AttemptResult(
        Outcome.RETRYABLE if exc.retryable else Outcome.FINAL,
        http_status=exc.status,
        code=exc.code,
        message=exc.message[:1000],
        request_id=exc.request_id or "",
    )
    if exc.status == 429:  # wait at least one limiter slot before asking again
        result.retry_after = 60.0 / (rate_per_minute(endpoint) or 60)
    return result


def _exchange(client: Any, reply: Reply) -> AttemptResult:
    if _needs_history_check(reply):
        log_id = _find_in_history(client, reply)
        if log_id is not None:
            return AttemptResult(
                Outcome.DELIVERED,
                log_id=log_id,
                message="found in the negotiation history; not sent again",
            )
    log_id = _send(client, reply)
    if not log_id and reply.endpoint != Reply.Endpoint.IMMEDIATE:
        log_id = _lookup_log_id(client, reply)
    return AttemptResult(Outcome.DELIVERED, log_id=log_id or "")


def _send(client: Any, reply: Reply) -> str:
    """POST the frozen payload through the typed client; its body is the payload's keys."""
    body = dict(reply.payload)
    complaint_id = reply.complaint.complaint_id
    if reply.endpoint == Reply.Endpoint.IMMEDIATE:
        return client.respond_immediate_service(complaint_id, **body)
    if reply.endpoint == Reply.Endpoint.RESPONSE:
        client.respond(complaint_id, **body)
    elif reply.endpoint == Reply.Endpoint.COMPLETE:
        client.complete(complaint_id, **body)
    elif reply.endpoint == Reply.Endpoint.REFUND:
        client.update_refund_progress(complaint_id, **body)
    else:
        raise ValueError(f"unknown endpoint {reply.endpoint!r}")
    return ""


# --- negotiation history: the idempotency check for endpoints without a key -------------------


def _needs_history_check(reply: Reply) -> bool:
    """Before re-sending a keyless request, look whether an earlier attempt may have landed."""
    if reply.endpoint == Reply.Endpoint.IMMEDIATE:
        return False  # WeChat deduplicates by idempotent_id
    earlier = reply.attempts.exclude(number=reply.attempt_count)
    return earlier.filter(outcome=Outcome.UNKNOWN).exists() or (
        earlier.filter(outcome=Outcome.RETRYABLE).exclude(http_status=429).exists()
    )


def _history_operate_types(reply: Reply) -> set[str]:
    if reply.endpoint == Reply.Endpoint.COMPLETE:
        return {"MERCHANT_CONFIRM_COMPLETE"}
    if reply.endpoint == Reply.Endpoint.REFUND:
        if reply.payload.get("action") == "APPROVE":
            return {"MERCHANT_APPROVE_REFUND"}
        return {"MERCHANT_REFUSE_RERUND", "MERCHANT_REFUSE_REFUND"}
    return {"MERCHANT_RESPONSE"}


def _find_in_history(client: Any, reply: Reply) -> str | None:
    """The log_id of the history entry this reply produced, if WeChat has one: same kind, same
    text, not before the reply was written, not already claimed by another of our replies."""
    conf = delivery_settings()
    rate_wait = rate_limit_try(mchid=reply.merchant.mchid, endpoint="history")
    if rate_wait > 0:
        time.sleep(min(rate_wait, 5.0))
    claimed = set(
        Reply.objects.filter(complaint_id=reply.complaint_id)
        .exclude(pk=reply.pk)
        .exclude(log_id="")
        .values_list("log_id", flat=True)
    )
    not_before = reply.created_at - timedelta(seconds=conf.history_clock_skew_seconds)
    kinds = _history_operate_types(reply)
    text = reply.payload.get("response_content")
    matches = []
    for entry in client.iter_negotiation_history(reply.complaint.complaint_id):
        if entry.operate_type not in kinds or entry.log_id in claimed:
            continue
        if reply.endpoint == Reply.Endpoint.RESPONSE and (entry.operate_details or "") != text:
            continue
        when = _parse_time(entry.operate_time)
        if when is not None and when < not_before:
            continue
        matches.append((when or timezone.now(), entry.log_id))
    return min(matches)[1] if matches else None


def _lookup_log_id(client: Any, reply: Reply) -> str:
    """204 endpoints return no log_id: read it from the history, best effort."""
    try:
        return _find_in_history(client, reply) or ""
    except WechatPayError as exc:
        logger.info("log_id lookup for reply %s failed: %s", reply.pk, exc)
        return ""


def _parse_time(value: Any):
    from datetime import datetime

    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


# --- recording the outcome --------------------------------------------------------------------


def _record(attempt: ReplyAttempt, result: AttemptResult, duration_ms: int) -> None:
    conf = delivery_settings()
    with transaction.atomic():
        _lock_complaint_of(attempt.reply_id)
        reply = (
            Reply.objects.select_for_update(of=("self",))
            .select_related("complaint")
            .get(pk=attempt.reply_id)
        )
        ReplyAttempt.objects.filter(pk=attempt.pk).update(
            outcome=result.outcome,
            duration_ms=duration_ms,
            http_status=result.http_status,
            wechat_code=result.code[:64],
            wechat_message=result.message,
            request_id=result.request_id[:128],
            error=result.error,
        )
        if result.outcome == Outcome.DELIVERED:
            outcomes.reply_mark_delivered(reply=reply, log_id=result.log_id)
            return
        if reply.status != Status.SENDING or reply.attempt_count != attempt.number:
            return  # delivered meanwhile, or our lease ran out and another attempt took over
        if result.outcome == Outcome.FINAL:
            outcomes.reply_mark_failed(reply=reply, code=result.code, message=result.message)
        elif reply.attempt_count >= conf.max_attempts:
            outcomes.reply_mark_failed(
                reply=reply,
                code=outcomes.RETRIES_EXHAUSTED,
                message=f"{result.code or result.http_status}: {result.message or result.error}",
            )
        else:
            delay = max(backoff_seconds(reply.attempt_count, conf), result.retry_after)
            _schedule_retry(reply, delay, conf)


def _lock_complaint_of(reply_id: int) -> None:
    """Complaint before reply: the order ingestion and submission lock them in, so recording an
    outcome (which updates the complaint) cannot deadlock with them."""
    complaint = Reply.objects.filter(pk=reply_id).values("complaint_id")
    list(Complaint.objects.select_for_update().filter(pk__in=complaint).values_list("pk"))


def _schedule_retry(reply: Reply, delay: float, conf: DeliverySettings) -> None:
    now = timezone.now()
    reply.status = Status.RETRYING
    reply.next_attempt_at = now + timedelta(seconds=delay)
    reply.lease_until = reply.next_attempt_at + conf.queue_lease
    reply.save(update_fields=["status", "next_attempt_at", "lease_until"])
    outcomes.reply_announce(reply)
    transaction.on_commit(lambda: enqueue_later(reply.pk, delay))
