"""Which deadline applies to a complaint now, and when supervisors are warned of it.

One deadline applies at a time: the console's immediate-service target
(COMPLAINTS_IMMEDIATE_FIRST_REPLY_MINUTES) for a 需即时服务 complaint not yet answered, else the
24 h first reply while unanswered, else the 72 h completion. An automatic acknowledgement is no
answer. A complaint is at risk from its deadline's warning margin on (and overdue after it) until
it is answered or completed. Each margin comes from a setting and is capped at half the
deadline's length, so no complaint is listed the moment it arrives (a 120-minute warning on a
60-minute target would be).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from automation.models import SupervisorEvent
from complaints.models import OPEN, Complaint
from complaints.services.deadlines import COMPLETION, FIRST_REPLY, immediate_first_reply


class Deadline(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate-service target")
    FIRST_REPLY = "first_reply", _("First-reply deadline (24 h)")
    COMPLETION = "completion", _("Completion deadline (72 h)")


def warning_margin(deadline: str) -> timedelta:
    """How long before the deadline a complaint is listed as due soon (setting, capped)."""
    minutes, length = {
        Deadline.IMMEDIATE: (
            settings.AUTOMATION_IMMEDIATE_WARNING_MINUTES,
            immediate_first_reply(),
        ),
        Deadline.FIRST_REPLY: (settings.AUTOMATION_FIRST_REPLY_WARNING_MINUTES, FIRST_REPLY),
        Deadline.COMPLETION: (settings.AUTOMATION_COMPLETE_WARNING_MINUTES, COMPLETION),
    }[Deadline(deadline)]
    return min(timedelta(minutes=minutes), length / 2)


def deadline_now(complaint: Complaint) -> tuple[str, datetime] | None:
    """(which deadline, when) applies to the complaint now; None once it is completed."""
    if complaint.complaint_state == Complaint.State.PROCESSED:
        return None
    if complaint.first_replied_at is None:
        kind = Deadline.IMMEDIATE if complaint.need_immediate_service else Deadline.FIRST_REPLY
        return kind, complaint.first_reply_due_at
    return Deadline.COMPLETION, complaint.complete_due_at


# Which event each deadline makes: (due soon, overdue).
EVENT_KINDS: dict[str, tuple[str, str]] = {
    Deadline.IMMEDIATE: (
        SupervisorEvent.Kind.IMMEDIATE_AT_RISK,
        SupervisorEvent.Kind.IMMEDIATE_OVERDUE,
    ),
    Deadline.FIRST_REPLY: (
        SupervisorEvent.Kind.FIRST_REPLY_AT_RISK,
        SupervisorEvent.Kind.FIRST_REPLY_OVERDUE,
    ),
    Deadline.COMPLETION: (
        SupervisorEvent.Kind.COMPLETE_AT_RISK,
        SupervisorEvent.Kind.COMPLETE_OVERDUE,
    ),
}
DEADLINE_OF_KIND = {kind: deadline for deadline, kinds in EVENT_KINDS.items() for kind in kinds}


def event_kind(deadline: str, due: datetime, now: datetime) -> str:
    soon, overdue = EVENT_KINDS[deadline]
    return overdue if due <= now else soon


_UNANSWERED = Q(first_replied_at=None)
_IMMEDIATE = _UNANSWERED & Q(need_immediate_service=True)
_FIRST_REPLY = _UNANSWERED & Q(need_immediate_service=False)
_COMPLETION = Q(first_replied_at__isnull=False)


def at_risk(complaints: QuerySet[Complaint], now: datetime) -> QuerySet[Complaint]:
    """The open ones among `complaints` within the warning margin of the deadline that applies
    now (or past it), annotated with `deadline` (a Deadline value), soonest deadline first.
    `due_at` is the stored deadline that applies (first reply until answered, then completion)."""
    return (
        complaints.filter(OPEN)
        .filter(
            (_IMMEDIATE & Q(due_at__lte=now + warning_margin(Deadline.IMMEDIATE)))
            | (_FIRST_REPLY & Q(due_at__lte=now + warning_margin(Deadline.FIRST_REPLY)))
            | (_COMPLETION & Q(due_at__lte=now + warning_margin(Deadline.COMPLETION)))
        )
        .annotate(
            deadline=Case(
                When(_IMMEDIATE, then=Value(Deadline.IMMEDIATE.value)),
                When(_UNANSWERED, then=Value(Deadline.FIRST_REPLY.value)),
                default=Value(Deadline.COMPLETION.value),
                output_field=models.CharField(),
            )
        )
        .order_by("due_at", "id")
    )
