"""Reading automation rows. Merchant scoping goes through merchants_visible_to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from automation.at_risk import Deadline, at_risk, event_kind
from automation.models import Alert, AutoReplyRule, SupervisorEvent
from complaints.models import Complaint
from complaints.selectors import complaints_visible_to
from merchants.models import Merchant
from merchants.selectors import merchant_ids_visible_to, merchants_visible_to

ALERTS_SHOWN = 10
AT_RISK_SHOWN = 300


def rules_by_merchant(user: Any) -> list[tuple[Merchant, list[AutoReplyRule]]]:
    """Every merchant the user works for with its rules (and how often each fired)."""
    rules = (
        AutoReplyRule.objects.filter(merchant_id__in=merchant_ids_visible_to(user))
        .select_related("template")
        .annotate(
            sent=Count("fired", filter=Q(fired__outcome="submitted")),
            skipped=Count("fired", filter=Q(fired__outcome="skipped")),
        )
        .order_by("priority", "id")
    )
    grouped: dict[int, list[AutoReplyRule]] = {}
    for rule in rules:
        grouped.setdefault(rule.merchant_id, []).append(rule)
    return [(merchant, grouped.get(merchant.pk, [])) for merchant in merchants_visible_to(user)]


def rule_for(user: Any, pk: int) -> AutoReplyRule:
    """A rule of one of the user's merchants, or 404."""
    return get_object_or_404(
        AutoReplyRule.objects.select_related("merchant", "template"),
        pk=pk,
        merchant_id__in=merchant_ids_visible_to(user),
    )


def merchant_for(user: Any, pk: int) -> Merchant:
    return get_object_or_404(merchants_visible_to(user), pk=pk)


def unread_alerts(user: Any) -> QuerySet[Alert]:
    """The user's unread alerts on complaints of merchants they still work for."""
    return (
        Alert.objects.filter(
            user=user, read_at=None, complaint__merchant_id__in=merchant_ids_visible_to(user)
        )
        .select_related("complaint")
        .order_by("-created_at", "-id")
    )


def supervisor_events(user: Any, *, kind: str = "", days: int = 7) -> QuerySet[SupervisorEvent]:
    events = SupervisorEvent.objects.filter(
        merchant_id__in=merchant_ids_visible_to(user),
        occurred_at__gte=timezone.now() - timedelta(days=days),
    )
    if kind:
        events = events.filter(kind=kind)
    return events.select_related("complaint", "merchant", "reply").order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class AtRiskRow:
    complaint: Complaint
    deadline: str  # a Deadline value
    overdue: bool
    event: SupervisorEvent | None  # what the digest made of it (None: not recorded yet)

    @property
    def deadline_label(self) -> str:
        return Deadline(self.deadline).label


def at_risk_rows(user: Any, *, now: datetime | None = None) -> list[AtRiskRow]:
    """The user's merchants' complaints at risk now, for the deadline that applies now, each
    with the supervisor event that the digest mails for it."""
    now = now or timezone.now()
    complaints = list(
        at_risk(complaints_visible_to(user), now).select_related("merchant")[:AT_RISK_SHOWN]
    )
    events = {
        (event.kind, event.key): event
        for event in SupervisorEvent.objects.filter(
            complaint_id__in=[complaint.pk for complaint in complaints], due_at__isnull=False
        )
    }
    return [
        AtRiskRow(
            complaint=complaint,
            deadline=complaint.deadline,
            overdue=complaint.due_at <= now,
            event=events.get(
                (
                    event_kind(complaint.deadline, complaint.due_at, now),
                    f"{complaint.pk}:{complaint.due_at.isoformat()}",
                )
            ),
        )
        for complaint in complaints
    ]
