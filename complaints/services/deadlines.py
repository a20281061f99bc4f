"""Deadlines and their status (first reply 24 h, completion 72 h; §glossary)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from complaints.models import OPEN, Complaint, TimelineEvent
from console import events

FIRST_REPLY = timedelta(hours=24)
COMPLETION = timedelta(hours=72)


def immediate_first_reply() -> timedelta:
    """The console's own, shorter target for immediate-service complaints (setting)."""
    return timedelta(minutes=settings.COMPLAINTS_IMMEDIATE_FIRST_REPLY_MINUTES)


def at_risk_margin() -> timedelta:
    """How long before a deadline a complaint counts as due soon (setting)."""
    return timedelta(minutes=settings.COMPLAINTS_AT_RISK_MINUTES)


def margin_for(length: timedelta) -> timedelta:
    """The due-soon margin of a deadline `length` after its start: the setting, but never more
    than half the time there is (a 60-minute immediate-service target is not "due soon" the
    moment the complaint arrives)."""
    return min(at_risk_margin(), length / 2)


def deadlines_for(complaint_time: datetime, *, immediate: bool) -> tuple[datetime, datetime]:
    first = immediate_first_reply() if immediate else FIRST_REPLY
    return complaint_time + first, complaint_time + COMPLETION


def sla_status_for(complaint: Complaint, now: datetime | None = None) -> str:
    """The deadline that matters now: the first reply until one is sent, then completion."""
    now = now or timezone.now()
    if complaint.complaint_state == Complaint.State.PROCESSED:
        return Complaint.Sla.MET
    due = complaint.complete_due_at if complaint.first_replied_at else complaint.first_reply_due_at
    if now >= due:
        return Complaint.Sla.OVERDUE
    if now >= due - margin_for(due - complaint.complaint_time):
        return Complaint.Sla.AT_RISK
    return Complaint.Sla.ON_TRACK


def sla_sweep(now: datetime | None = None) -> int:
    """Move open complaints to due soon / overdue as their deadlines approach. Returns how many
    changed. Only candidates are read: the deadline conditions use the queue indexes."""
    now = now or timezone.now()
    soon = now + at_risk_margin()
    pending, replied = Q(first_replied_at=None), Q(first_replied_at__isnull=False)
    on_track = Q(sla_status=Complaint.Sla.ON_TRACK)
    not_overdue = ~Q(sla_status=Complaint.Sla.OVERDUE)
    candidates = Complaint.objects.filter(OPEN).filter(
        (pending & on_track & Q(first_reply_due_at__lte=soon))
        | (pending & not_overdue & Q(first_reply_due_at__lte=now))
        | (replied & on_track & Q(complete_due_at__lte=soon))
        | (replied & not_overdue & Q(complete_due_at__lte=now))
    )
    changed = 0
    for pk in candidates.values_list("pk", flat=True).iterator():
        changed += sla_refresh(complaint_pk=pk, now=now)
    return changed


def sla_refresh(*, complaint_pk: int, now: datetime | None = None) -> int:
    """Recompute one complaint's deadline status; record a change in its timeline."""
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint_pk)
        status = sla_status_for(complaint, now)
        if status == complaint.sla_status:
            return 0
        TimelineEvent.objects.create(
            complaint=complaint,
            kind=TimelineEvent.Kind.SLA_CHANGED,
            data={"from": complaint.sla_status, "to": status},
        )
        complaint.sla_status = status
        complaint.save(update_fields=["sla_status", "updated_at"])
        events.announce(
            events.COMPLAINT_CHANGED, merchant_id=complaint.merchant_id, complaint_id=complaint.pk
        )
        return 1
