"""Reading automation rows. Merchant scoping goes through merchants_visible_to."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from automation.models import Alert, AutoReplyRule, SupervisorEvent
from merchants.models import Merchant
from merchants.selectors import merchant_ids_visible_to, merchants_visible_to

ALERTS_SHOWN = 10


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
