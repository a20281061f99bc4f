"""The console's own replies, as complaints sees them: what it asks of the app that sends them
and the complaint-side effects of their outcomes.

Messaging owns replies (rows, delivery, retries); complaints owns complaint state. So complaints
never imports messaging: messaging registers a `ReplySide` (complaints/ports.py) in its
AppConfig.ready() (queue a request, tell the timeline and the first-reply bookkeeping about its
rows), and calls the services below when a reply is queued, delivered or fails. Apps depend one
way, news travels the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F

from complaints.models import Complaint, TimelineEvent
from complaints.services.hooks import on_complaint_handled
from complaints.services.ingest import REPLY_ENDPOINTS, first_reply_forget_automatic


def complaint_reply_queued(
    *, complaint: Complaint, reply_id: int, actor: Any, endpoint: str, data: dict[str, Any]
) -> None:
    """A reply was written (inside the caller's transaction, complaint row locked): the next
    reply drafted before it is stale, the timeline says so, and alerts it answers clear."""
    Complaint.objects.filter(pk=complaint.pk).update(activity_version=F("activity_version") + 1)
    TimelineEvent.objects.create(
        complaint=complaint,
        kind=TimelineEvent.Kind.REPLY_QUEUED,
        actor=actor,
        data={"reply_id": reply_id, "endpoint": endpoint, **data},
    )
    if not data.get("is_automatic"):
        on_complaint_handled(complaint_id=complaint.pk)  # e.g. agents' alerts it answers clear


def complaint_reply_failed(
    *, complaint_id: int, reply_id: int, actor: Any, endpoint: str, code: str
):
    TimelineEvent.objects.create(
        complaint_id=complaint_id,
        kind=TimelineEvent.Kind.REPLY_FAILED,
        actor=actor,
        data={"reply_id": reply_id, "endpoint": endpoint, "code": code},
    )


@dataclass(frozen=True)
class Delivered:
    """What WeChat Pay accepted, in the terms complaint state needs."""

    reply_id: int
    endpoint: str
    actor: Any
    is_automatic: bool
    log_id: str
    at: datetime
    closes: bool  # "processed", or a rejected refund (§3.7 closes the complaint)


def complaint_reply_delivered(*, complaint_pk: int, delivered: Delivered) -> Complaint:
    """WeChat Pay accepted a reply: the complaint moves on (state, first reply, user message
    flag), the timeline records it. Call inside the transaction that marks the reply."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint_pk)
    TimelineEvent.objects.create(
        complaint=complaint,
        kind=TimelineEvent.Kind.REPLY_DELIVERED,
        actor=delivered.actor,
        data={
            "reply_id": delivered.reply_id,
            "endpoint": delivered.endpoint,
            "log_id": delivered.log_id,
        },
    )
    _after_delivery(complaint, delivered)
    if delivered.is_automatic and delivered.log_id:
        first_reply_forget_automatic(complaint=complaint, log_id=delivered.log_id)
    if not delivered.is_automatic or complaint.complaint_state == Complaint.State.PROCESSED:
        on_complaint_handled(complaint_id=complaint.pk)
    return complaint


def complaint_reply_log_id(*, complaint_pk: int, log_id: str) -> None:
    """An automatic reply's log_id arrived after its delivery was recorded."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint_pk)
    first_reply_forget_automatic(complaint=complaint, log_id=log_id)


def _after_delivery(complaint: Complaint, delivered: Delivered) -> None:
    before = complaint.complaint_state
    changed: list[str] = []
    if delivered.endpoint in REPLY_ENDPOINTS:
        if before == Complaint.State.PENDING:
            complaint.complaint_state = Complaint.State.PROCESSING
            changed.append("complaint_state")
        if complaint.incoming_user_response:
            # Answered: WeChat clears the flag too, but tells nobody (no notification for the
            # merchant's own replies), so the queue would show "new user message" until a sync.
            complaint.incoming_user_response = False
            changed.append("incoming_user_response")
        if not delivered.is_automatic and complaint.first_replied_at is None:
            complaint.first_replied_at = delivered.at
            changed.append("first_replied_at")
    elif delivered.closes:
        complaint.complaint_state = Complaint.State.PROCESSED
        complaint.completed_at = complaint.completed_at or delivered.at
        changed += ["complaint_state", "completed_at"]
    if not changed:
        return
    complaint.save(update_fields=[*changed, "updated_at"])
    if complaint.complaint_state != before:
        TimelineEvent.objects.create(
            complaint=complaint,
            kind=TimelineEvent.Kind.STATE_CHANGED,
            actor=delivered.actor,
            data={"from": before, "to": complaint.complaint_state, "reply_id": delivered.reply_id},
        )
