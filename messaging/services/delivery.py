"""Delivering a reply row to WeChat Pay: at-least-once transport, exactly-once effect.

One attempt = claim the row under a lease, send the frozen payload, record the attempt, then
either mark the reply delivered, schedule a retry (same idempotent_id) or mark it failed. A
delivered or failed reply is never sent again; a reply whose lease ran out (worker killed, broker
lost the message) is re-enqueued by the sweeper. /response, /complete and update-refund-progress
have no idempotency key, so after an attempt with an unknown outcome the negotiation history is
checked before anything is sent again.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from console.ratelimit import RateLimitTimeout, rate_limit_try, rate_limit_wait, rate_per_minute
from messaging.models import Reply, ReplyAttempt
from messaging.services import replies as outcomes
from wechatpay import ApiError, TransportError, WechatPayError

logger = logging.getLogger(__name__)

Outcome = ReplyAttempt.Outcome
Status = Reply.Status


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


def delivery_settings() -> DeliverySettings:
    """Defaults overridden by settings.REPLY_DELIVERY (a dict; the env var holds JSON)."""
    overrides = getattr(settings, "REPLY_DELIVERY", None) or {}
    known = {f.name for f in fields(DeliverySettings)}
    return DeliverySettings(**{k: v for k, v in overrides.items() if k in known})


def backoff_seconds(attempt: int, conf: DeliverySettings | None = None) -> float:
    """Exponential backoff with full jitter in its upper half: [d/2, d], d = base·2^(n-1)."""
    conf = conf or delivery_settings()
    ceiling = min(conf.backoff_cap, conf.backoff_base * (2 ** max(attempt - 1, 0)))
    return ceiling / 2 + random.random() * ceiling / 2


ClientFactory = Callable[[Any], Any]

# The typed client returns data, not HTTP facts; its transport logs one line per call with the
# status and Request-ID (never secrets). Recording those lines per thread gives every attempt
# row its status and Request-ID, also on success, without reaching into the client.
_calls = threading.local()


class _CallRecorder(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        sink = getattr(_calls, "sink", None)
        args = record.args
        if sink is not None and "-> %s" in str(record.msg) and len(args or ()) == 5:
            method, target, status, _ms, request_id = args
            sink.append((method, target, status, "" if request_id == "-" else request_id))


_recorder = _CallRecorder(level=logging.INFO)
logging.getLogger("wechatpay").addHandler(_recorder)


@contextlib.contextmanager
def _recording_calls() -> Iterator[list[tuple[str, str, int, str]]]:
    wechatpay_logger = logging.getLogger("wechatpay")
    if not wechatpay_logger.isEnabledFor(logging.INFO):
        wechatpay_logger.setLevel(logging.INFO)  # the recorder needs the INFO lines
    _calls.sink = sink = []
    try:
        yield sink
    finally:
        _calls.sink = None


def default_client(merchant: Any) -> Any:
    from merchants.services import wechatpay_client

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
        _enqueue_later(reply.pk, countdown)
        return "throttled"
    attempt = _claim(reply_id)
    if attempt is None:
        return "skipped"
    reply = attempt.reply
    started = time.monotonic()
    with _recording_calls() as calls:
        result = _attempt(reply, client_factory or default_client)
    duration_ms = int((time.monotonic() - started) * 1000)
    posts = [call for call in calls if call[0] == "POST"]
    if posts and result.http_status is None and result.outcome == Outcome.DELIVERED:
        result.http_status = posts[-1][2]
    if posts and not result.request_id:
        result.request_id = posts[-1][3]
    _record(attempt, result, duration_ms)
    return result.outcome


def _claim(reply_id: int) -> ReplyAttempt | None:
    """Take the reply for one attempt under a lease, and write the attempt row first: a worker
    killed mid-request leaves an attempt whose outcome is unknown, never a silent gap."""
    conf = delivery_settings()
    with transaction.atomic():
        reply = (
            Reply.objects.select_for_update()
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


def _attempt(reply: Reply, client_factory: ClientFactory) -> AttemptResult:
    try:
        client = client_factory(reply.merchant)
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
            request_id=getattr(exc, "request_id", None) or "",
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
        reply = (
            Reply.objects.select_for_update().select_related("complaint").get(pk=attempt.reply_id)
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


def _schedule_retry(reply: Reply, delay: float, conf: DeliverySettings) -> None:
    now = timezone.now()
    reply.status = Status.RETRYING
    reply.next_attempt_at = now + timedelta(seconds=delay)
    reply.lease_until = reply.next_attempt_at + conf.queue_lease
    reply.save(update_fields=["status", "next_attempt_at", "lease_until"])
    outcomes.reply_announce(reply)
    transaction.on_commit(lambda: _enqueue_later(reply.pk, delay))


def _enqueue_later(reply_id: int, countdown: float) -> None:
    from messaging.tasks import deliver_reply

    try:
        deliver_reply.apply_async((reply_id,), countdown=countdown)
    except Exception:  # noqa: BLE001 - broker down: the row stays open and the sweeper retries
        logger.warning("could not enqueue reply %s; the sweeper will pick it up", reply_id)


def enqueue_now(reply_id: int) -> None:
    from messaging.tasks import deliver_reply

    try:
        deliver_reply.delay(reply_id)
    except Exception:  # noqa: BLE001 - broker down: the row stays open and the sweeper retries
        logger.warning("could not enqueue reply %s; the sweeper will pick it up", reply_id)


# --- the sweeper -------------------------------------------------------------------------------


def reply_sweep(*, now=None) -> int:
    """Re-enqueue open replies whose lease ran out (message lost, worker killed). Each row's
    lease is pushed forward first, so a sweep never enqueues the same row twice in a row."""
    conf = delivery_settings()
    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(
            Reply.objects.select_for_update(skip_locked=True)
            .filter(status__in=Reply.OPEN_STATUSES, lease_until__lt=now)
            .order_by("lease_until")
            .values_list("pk", flat=True)[: conf.sweep_batch]
        )
        # A lapsed "sending" lease means the worker died mid-request: the attempt's outcome is
        # unknown, and the row becomes due again (the next attempt checks history if needed).
        Reply.objects.filter(pk__in=stuck, status=Status.SENDING).update(
            status=Status.RETRYING, next_attempt_at=now
        )
        Reply.objects.filter(pk__in=stuck).update(lease_until=now + conf.queue_lease)
        for reply_id in stuck:
            transaction.on_commit(lambda rid=reply_id: enqueue_now(rid))
    if stuck:
        logger.info("sweeper re-enqueued %d replies", len(stuck))
    return len(stuck)
