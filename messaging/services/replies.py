"""Writing a reply: the row comes first, in one transaction, before any request is attempted."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint
from complaints.services import complaint_search_refresh
from complaints.services.reply_side import (
    Delivered,
    complaint_reply_delivered,
    complaint_reply_failed,
    complaint_reply_log_id,
    complaint_reply_queued,
)
from console import events
from console.retry_policy import delivery_settings
from merchants.services import NoActiveCredentials
from messaging.models import Reply
from messaging.services.sweeper import enqueue_now
from wechatpay import InvalidArgumentError, VerificationError

Status = Reply.Status
Endpoint = Reply.Endpoint

# Which status may follow which (claims, retries, the sweeper and outcomes all go through it).
# A late proof of delivery wins over an earlier verdict of failure: the user did get the reply.
TRANSITIONS: dict[str, set[str]] = {
    Status.QUEUED: {Status.SENDING},
    Status.SENDING: {Status.SENDING, Status.RETRYING, Status.DELIVERED, Status.FAILED},
    Status.RETRYING: {Status.SENDING, Status.DELIVERED},
    Status.FAILED: {Status.DELIVERED},
    Status.DELIVERED: set(),
}
RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED"


def configuration_errors() -> tuple[type[Exception], ...]:
    """Raised while building a merchant's client: missing or unusable credentials."""
    return (NoActiveCredentials, ImproperlyConfigured, ObjectDoesNotExist, LookupError)


# Endpoints whose body names the complained merchant (update-refund-progress has no such field).
_CARRIES_MCHID = {Reply.Endpoint.IMMEDIATE, Reply.Endpoint.RESPONSE, Reply.Endpoint.COMPLETE}


class StaleReplyError(Exception):
    """Something arrived on the complaint after the agent's composer was rendered."""

    def __init__(self, *, new_activity: int, seen: int) -> None:
        self.new_activity = new_activity
        self.seen = seen
        super().__init__(_("New activity on this complaint: review it before sending."))


class DuplicateIdempotencyError(ValueError):
    """The idempotent_id is already used by a reply on another complaint or endpoint."""


def reply_submit(
    *,
    complaint: Complaint,
    author: Any,
    endpoint: str,
    payload: dict[str, Any],
    idempotent_id: uuid.UUID | str,
    seen_activity_version: int | None = None,
    is_automatic: bool = False,
) -> Reply:
    """Write the reply row and enqueue its delivery on commit.

    A repeated idempotent_id yields the existing row (double submit); content is validated by
    the caller with the schema, only the endpoint and the payload's type are checked here."""
    if endpoint not in Reply.Endpoint.values:
        raise ValueError(f"unknown reply endpoint {endpoint!r}")
    if not isinstance(payload, dict):
        raise ValueError("payload must be a dict (the JSON body to send)")
    idempotent_id = uuid.UUID(str(idempotent_id))

    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        # A double submit carries the same id: answer with the first row, before the stale check
        # (the first submit itself moved activity_version).
        existing = Reply.objects.filter(idempotent_id=idempotent_id).first()
        if existing is not None:
            if existing.complaint_id != locked.pk or existing.endpoint != endpoint:
                raise DuplicateIdempotencyError(
                    f"idempotent_id {idempotent_id} belongs to another reply"
                )
            return existing
        if seen_activity_version is not None and locked.activity_version > seen_activity_version:
            raise StaleReplyError(new_activity=locked.activity_version, seen=seen_activity_version)
        reply = Reply.objects.create(
            complaint=locked,
            merchant_id=locked.merchant_id,
            author=author if getattr(author, "pk", None) else None,
            is_automatic=is_automatic,
            endpoint=endpoint,
            payload=_frozen_payload(locked, endpoint, payload, idempotent_id),
            idempotent_id=idempotent_id,
            status=Reply.Status.QUEUED,
            lease_until=timezone.now() + _queue_lease(),
        )
        complaint_reply_queued(
            complaint=locked,
            reply_id=reply.pk,
            actor=reply.author,
            endpoint=endpoint,
            data={"idempotent_id": str(idempotent_id), "is_automatic": is_automatic},
        )
        complaint_search_refresh(complaint_pks=[locked.pk])
        _enqueue_on_commit(reply.pk)
        reply_announce(reply)
    complaint.activity_version = locked.activity_version + 1
    return reply


def _frozen_payload(
    complaint: Complaint, endpoint: str, payload: dict[str, Any], idempotent_id: uuid.UUID
) -> dict[str, Any]:
    """The exact body that will be sent: complainted_mchid filled in, and for the
    immediate-service endpoint the body's idempotent_id is the row's."""
    body = copy.deepcopy(payload)
    if endpoint in _CARRIES_MCHID:
        body.setdefault("complainted_mchid", complaint.complainted_mchid)
    if endpoint == Reply.Endpoint.IMMEDIATE:
        given = body.get("idempotent_id")
        if given is not None and str(given) != str(idempotent_id):
            raise ValueError("payload idempotent_id differs from the reply's idempotent_id")
        body["idempotent_id"] = str(idempotent_id)
    return body


def _queue_lease():
    return delivery_settings().queue_lease


def _enqueue_on_commit(reply_id: int) -> None:
    """deliver_reply.delay_on_commit, except that a broker outage at this moment is logged,
    not raised: the row is committed and the sweeper enqueues it once the broker is back."""
    transaction.on_commit(lambda: enqueue_now(reply_id))


def reply_resend(*, reply: Reply, author: Any, payload: dict[str, Any] | None = None) -> Reply:
    """A failed reply is never sent again as is: resending writes a new reply (new
    idempotent_id), with the same payload or a corrected one."""
    if reply.status != Status.FAILED:
        raise ValueError(_("Only a failed reply can be sent again."))
    body = copy.deepcopy(payload if payload is not None else reply.payload)
    if reply.endpoint == Endpoint.IMMEDIATE:
        body.pop("idempotent_id", None)
    # "Send again" clicked twice sends once: the same failed reply always resends under the same
    # id (derived from its own), so the second click finds the first's row. A corrected payload
    # is a new reply of its own.
    resend_id = uuid.uuid5(reply.idempotent_id, "resend") if payload is None else uuid.uuid4()
    return reply_submit(
        complaint=reply.complaint,
        author=author,
        endpoint=reply.endpoint,
        payload=body,
        idempotent_id=resend_id,
        is_automatic=reply.is_automatic and author is None,
    )


def reply_announce(reply: Reply) -> None:
    """Tell open pages that this reply's status (and with it the complaint) changed."""
    events.announce(
        events.REPLY_CHANGED,
        merchant_id=reply.merchant_id,
        complaint_id=reply.complaint_id,
        reply_id=reply.pk,
    )


def _check_transition(reply: Reply, new: str) -> None:
    if new not in TRANSITIONS.get(reply.status, set()):
        raise ValueError(f"reply {reply.pk}: {reply.status} -> {new} is not allowed")


def reply_mark_delivered(*, reply: Reply, log_id: str) -> None:
    """WeChat accepted the reply: record its log_id and move the complaint on. Call inside a
    transaction holding the reply row."""
    if reply.status == Status.DELIVERED:
        if log_id and not reply.log_id:
            Reply.objects.filter(pk=reply.pk).update(log_id=log_id)
            reply_announce(reply)
            if reply.is_automatic:
                complaint_reply_log_id(complaint_pk=reply.complaint_id, log_id=log_id)
        return
    _check_transition(reply, Status.DELIVERED)
    now = timezone.now()
    reply.status = Status.DELIVERED
    reply.log_id = log_id or ""
    reply.delivered_at = now
    reply.lease_until = reply.next_attempt_at = None
    reply.error_code = reply.error_message = ""
    reply.save(
        update_fields=[
            "status", "log_id", "delivered_at", "lease_until", "next_attempt_at",
            "error_code", "error_message",
        ]
    )  # fmt: skip
    reply_announce(reply)
    complaint_reply_delivered(
        complaint_pk=reply.complaint_id,
        delivered=Delivered(
            reply_id=reply.pk,
            endpoint=reply.endpoint,
            actor=reply.author,
            is_automatic=reply.is_automatic,
            log_id=reply.log_id,
            at=now,
            # A rejected refund closes the complaint at WeChat Pay (§3.7), which tells nobody.
            closes=reply.endpoint == Endpoint.COMPLETE or _is_refund_rejection(reply),
        ),
    )


def _is_refund_rejection(reply: Reply) -> bool:
    return reply.endpoint == Endpoint.REFUND and (reply.payload or {}).get("action") == "REJECT"


def reply_mark_failed(*, reply: Reply, code: str, message: str) -> None:
    """A final failure: never retried; the agent sees why and may resend a corrected reply."""
    _check_transition(reply, Status.FAILED)
    reply.status = Status.FAILED
    reply.failed_at = timezone.now()
    reply.error_code = (code or "")[:64]
    reply.error_message = message or ""
    reply.lease_until = reply.next_attempt_at = None
    reply.save(
        update_fields=[
            "status", "failed_at", "error_code", "error_message", "lease_until", "next_attempt_at",
        ]
    )  # fmt: skip
    reply_announce(reply)
    complaint_reply_failed(
        complaint_id=reply.complaint_id,
        reply_id=reply.pk,
        actor=reply.author,
        endpoint=reply.endpoint,
        code=reply.error_code,
    )


def code_for_exception(exc: Exception) -> str:
    if isinstance(exc, VerificationError):
        return "VERIFICATION_FAILED"
    if isinstance(exc, InvalidArgumentError):
        return "INVALID_ARGUMENT"
    return type(exc).__name__.upper()[:64]


def reply_failure_explanation(reply: Reply) -> tuple[str, str]:
    """(what went wrong, how to fix it), in plain words for the agent."""
    code = reply.error_code
    detail = reply.error_message
    reasons = {
        "PARAM_ERROR": (
            _("WeChat Pay rejected a field of the reply: %(detail)s"),
            _("Edit the reply to fix that field, then send it again."),
        ),
        "INVALID_REQUEST": (
            _("WeChat Pay refused the reply in the complaint's current state: %(detail)s"),
            _("Refresh the complaint and check its state; send a new reply only if still needed."),
        ),
        "NO_AUTH": (
            _(
                "This merchant may not act on this complaint, or the feature is not enabled: "
                "%(detail)s"
            ),
            _(
                "Check that the complaint belongs to this merchant and that the merchant's "
                "account has the feature; then send again."
            ),
        ),
        "SIGN_ERROR": (
            _("WeChat Pay could not verify the console's signature: %(detail)s"),
            _(
                "Ask an admin to check the merchant's API private key and certificate serial, "
                "then send again."
            ),
        ),
        "RESOURCE_NOT_EXISTS": (
            _("WeChat Pay does not know this complaint: %(detail)s"),
            _("Check the complaint ID; refresh the complaint from WeChat Pay."),
        ),
        "VERIFICATION_FAILED": (
            _(
                "WeChat Pay's answer could not be verified, so delivery is not confirmed: "
                "%(detail)s"
            ),
            _(
                "Ask an admin to check the WeChat Pay public key or platform certificates. Look "
                "at the negotiation history before sending again: the user may have the reply."
            ),
        ),
        "INVALID_ARGUMENT": (
            _("The reply was refused before sending: %(detail)s"),
            _("Edit the reply, then send it again."),
        ),
        "INVALID_PAYLOAD": (
            _("The reply does not fit this kind of request: %(detail)s"),
            _("Write the reply again in the composer, then send it."),
        ),
        "CONFIGURATION": (
            _("The merchant's WeChat Pay credentials are missing or unusable: %(detail)s"),
            _("Ask an admin to upload the merchant's credentials, then send again."),
        ),
        RETRIES_EXHAUSTED: (
            _(
                "WeChat Pay was unavailable for every attempt (%(attempts)s attempts; last: "
                "%(detail)s)."
            ),
            _("Send the reply again later."),
        ),
    }
    reason, fix = reasons.get(
        code,
        (
            _("WeChat Pay refused the reply (%(code)s): %(detail)s"),
            _("Edit the reply if needed, then send it again."),
        ),
    )
    values = {"detail": detail or "-", "code": code or "-", "attempts": reply.attempt_count}
    return reason % values, fix
