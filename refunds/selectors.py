"""Reading refunds, always scoped by the user's merchants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from merchants.selectors import merchant_ids_visible_to
from refunds.models import OrderSnapshot, Refund


def refunds_visible_to(user) -> QuerySet[Refund]:
    return Refund.objects.filter(merchant_id__in=merchant_ids_visible_to(user))


def refund_for(user, pk: int) -> Refund:
    return get_object_or_404(
        refunds_visible_to(user).select_related("complaint", "merchant"), pk=pk
    )


def complaint_refunds(complaint) -> list[Refund]:
    return list(
        Refund.objects.filter(complaint=complaint)
        .select_related("requested_by", "decided_by")
        .order_by("created_at", "id")
    )


def order_snapshot(complaint) -> OrderSnapshot | None:
    return OrderSnapshot.objects.filter(complaint=complaint).first()


def awaiting_approval(user) -> QuerySet[Refund]:
    return (
        refunds_visible_to(user)
        .filter(status=Refund.Status.AWAITING_APPROVAL)
        .select_related("complaint", "merchant", "requested_by")
        .order_by("created_at", "id")
    )


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def refund_history(user) -> QuerySet[Refund]:
    """The refunds the user may see, newest first (refunds/filters.py narrows them)."""
    return (
        refunds_visible_to(user)
        .select_related("complaint", "merchant", "requested_by", "decided_by")
        .order_by("-created_at", "-id")
    )


@dataclass
class RefundKpis:
    refunded_fen: int
    refunds_succeeded: int
    refunds_open: int
    complaints_resolved: int


def refund_kpis(user, *, merchant_id: int | None, date_from: date, date_to: date) -> RefundKpis:
    """Refunds that arrived in the period, and refund-request complaints they resolved."""
    rows = refunds_visible_to(user)
    if merchant_id:
        rows = rows.filter(merchant_id=merchant_id)
    period = Q(
        succeeded_at__gte=_local_start(date_from),
        succeeded_at__lt=_local_start(date_to + timedelta(days=1)),
    )
    done = rows.filter(period, status=Refund.Status.SUCCESS).aggregate(
        fen=Sum("amount"),
        n=Count("id"),
        resolved=Count(
            "complaint",
            distinct=True,
            filter=Q(complaint__problem_type="REFUND", complaint__complaint_state="PROCESSED"),
        ),
    )
    open_count = rows.exclude(status__in=Refund.FINAL_STATUSES).count()
    return RefundKpis(done["fen"] or 0, done["n"] or 0, open_count, done["resolved"] or 0)
