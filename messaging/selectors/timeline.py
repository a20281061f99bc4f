"""The console's replies as complaints' timeline and first-reply bookkeeping need them
(registered with complaints as its `ReplySide` in MessagingConfig.ready())."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from complaints.models import Complaint
from complaints.selectors import TimelineItem
from messaging.models import Reply
from messaging.services.replies import reply_failure_explanation

# The endpoints that answer the user (a reply, not "processed" or a refund decision).
_ANSWERS = (Reply.Endpoint.IMMEDIATE, Reply.Endpoint.RESPONSE)


def status_context(reply: Reply) -> dict[str, Any]:
    """The context of a reply's live-status fragment (messaging/_reply_status.html)."""
    polling = reply.status in Reply.OPEN_STATUSES
    context: dict[str, Any] = {"reply": reply, "status_loaded": True, "polling": polling}
    if reply.status == Reply.Status.FAILED:
        context["reason"], context["fix"] = reply_failure_explanation(reply)
    return context


def timeline_replies(complaint: Complaint) -> tuple[list[TimelineItem], set[str]]:
    """A complaint's replies as timeline items, each with its live status (one query), and the
    log_ids of the history entries they are."""
    replies = list(Reply.objects.filter(complaint=complaint).select_related("author"))
    items = [
        TimelineItem(reply.created_at, "reply", reply, status=status_context(reply))
        for reply in replies
    ]
    return items, {reply.log_id for reply in replies if reply.log_id}


def automatic_open(complaint: Complaint) -> bool:
    return (
        Reply.objects.filter(complaint=complaint, is_automatic=True, endpoint__in=_ANSWERS)
        .exclude(status=Reply.Status.FAILED)
        .exists()
    )


def automatic_log_ids(complaint: Complaint, log_ids: Iterable[str]) -> set[str]:
    return set(
        Reply.objects.filter(
            complaint=complaint, is_automatic=True, log_id__in=list(log_ids)
        ).values_list("log_id", flat=True)
    )


def human_delivered_times(complaint: Complaint) -> list[datetime]:
    return list(
        Reply.objects.filter(
            complaint=complaint,
            is_automatic=False,
            endpoint__in=_ANSWERS,
            delivered_at__isnull=False,
        ).values_list("delivered_at", flat=True)
    )
