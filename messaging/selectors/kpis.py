"""Supervisor KPIs, computed from complaint and reply rows of the merchants the user may see.

Automatic replies (Reply.is_automatic) never count as a first human response; they are reported
in their own figures so automation can be judged separately.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Q, QuerySet
from django.utils import timezone

from complaints.models import Complaint
from complaints.services.deadlines import FIRST_REPLY
from merchants.selectors import merchant_ids_visible_to
from messaging.filters import KpiFilter
from messaging.models import Reply

REPLY_ENDPOINTS = (Reply.Endpoint.IMMEDIATE, Reply.Endpoint.RESPONSE)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-q * len(ordered) // 1)))  # ceil(q·n), at least 1
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class ResponseTimes:
    label: str
    count: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None


@dataclass
class DeliveryFigures:
    delivered: int = 0
    failed: int = 0
    open: int = 0

    @property
    def failure_rate(self) -> float | None:
        done = self.delivered + self.failed
        return self.failed / done if done else None


@dataclass
class DayPoint:
    day: date
    human: int = 0
    automatic: int = 0
    failed: int = 0


@dataclass
class Kpis:
    date_from: date
    date_to: date
    complaints: int = 0
    first_response: ResponseTimes = field(default_factory=lambda: ResponseTimes(""))
    by_agent: list[ResponseTimes] = field(default_factory=list)
    by_merchant: list[ResponseTimes] = field(default_factory=list)
    replied_within_24h: float | None = None  # WeChat's rule, from the complaint time
    replied_within_target: float | None = None  # the console's (shorter for immediate service)
    completed_within_72h: float | None = None
    overdue: int = 0
    human: DeliveryFigures = field(default_factory=DeliveryFigures)
    automatic: DeliveryFigures = field(default_factory=DeliveryFigures)
    automatic_first_response: ResponseTimes = field(default_factory=lambda: ResponseTimes(""))
    days: list[DayPoint] = field(default_factory=list)


def _times(label: str, hours: list[float]) -> ResponseTimes:
    return ResponseTimes(
        label, len(hours), median(hours) if hours else None, percentile(hours, 0.9)
    )


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def kpis_for(
    user, *, date_from: date, date_to: date, merchant_id: int | None = None, now=None
) -> Kpis:
    """KPIs of complaints created (and replies written) between the two dates, inclusive."""
    now = now or timezone.now()
    merchants = merchant_ids_visible_to(user) if user.is_authenticated else []
    values = {"merchant": merchant_id, "date_from": date_from, "date_to": date_to}
    complaints = _narrowed(Complaint.objects.filter(merchant_id__in=merchants), values)
    replies = _narrowed(Reply.objects.filter(merchant_id__in=merchants), values)
    result = Kpis(date_from=date_from, date_to=date_to)
    _complaint_figures(result, complaints, now)
    _first_responses(result, complaints)
    _delivery_figures(result, replies, date_from, date_to)
    return result


def _narrowed(queryset: QuerySet, values: dict) -> QuerySet:
    """The KPIs' filter chain (messaging/filters.py): complaints by when they were made,
    replies by when they were written."""
    date_field = "complaint_time" if queryset.model is Complaint else "created_at"
    chain = KpiFilter(queryset=queryset, date_field=date_field)
    return chain.filter_values(queryset, values)


def _complaint_figures(result: Kpis, complaints, now) -> None:
    rows = list(
        complaints.values_list(
            "complaint_time", "first_replied_at", "first_reply_due_at", "completed_at",
            "complete_due_at",
        )
    )  # fmt: skip
    result.complaints = len(rows)
    if rows:
        within_24h = sum(
            1 for opened, replied, *_ in rows if replied and replied <= opened + FIRST_REPLY
        )
        result.replied_within_24h = within_24h / len(rows)
        on_target = sum(1 for _, replied, due, _, _ in rows if replied and replied <= due)
        result.replied_within_target = on_target / len(rows)
        completed = sum(1 for *_, done, due in rows if done and done <= due)
        result.completed_within_72h = completed / len(rows)
    result.overdue = (
        complaints.exclude(complaint_state=Complaint.State.PROCESSED)
        .filter(
            Q(first_replied_at__isnull=True, first_reply_due_at__lt=now)
            | Q(complete_due_at__lt=now)
        )
        .count()
    )


def _first_responses(result: Kpis, complaints) -> None:
    """First delivered reply per complaint: human ones by agent and merchant, automatic apart."""
    first_human: dict[int, tuple] = {}
    first_auto: dict[int, tuple] = {}
    delivered = (
        Reply.objects.filter(
            complaint__in=complaints,
            endpoint__in=REPLY_ENDPOINTS,
            status=Reply.Status.DELIVERED,
        )
        .order_by("delivered_at")
        .values_list(
            "complaint_id",
            "is_automatic",
            "delivered_at",
            "complaint__complaint_time",
            "author__username",
            "author__first_name",
            "author__last_name",
            "merchant__name",
        )
    )
    for complaint_id, automatic, delivered_at, opened, login, first, last, merchant in delivered:
        target = first_auto if automatic else first_human
        author = f"{first} {last}".strip() or login or "-"  # people by name (console.people)
        target.setdefault(complaint_id, (_hours(opened, delivered_at), author, merchant))
    by_agent: dict[str, list[float]] = defaultdict(list)
    by_merchant: dict[str, list[float]] = defaultdict(list)
    for hours, author, merchant in first_human.values():
        by_agent[author].append(hours)
        by_merchant[merchant].append(hours)
    result.first_response = _times("", [h for h, _, _ in first_human.values()])
    result.automatic_first_response = _times("", [h for h, _, _ in first_auto.values()])
    result.by_agent = [_times(name, hours) for name, hours in sorted(by_agent.items())]
    result.by_merchant = [_times(name, hours) for name, hours in sorted(by_merchant.items())]


def _delivery_figures(result: Kpis, replies, date_from: date, date_to: date) -> None:
    days = {
        date_from + timedelta(days=n): DayPoint(date_from + timedelta(days=n))
        for n in range((date_to - date_from).days + 1)
    }
    for automatic, status, created in replies.values_list("is_automatic", "status", "created_at"):
        figures = result.automatic if automatic else result.human
        point = days.get(timezone.localtime(created).date())
        if status == Reply.Status.DELIVERED:
            figures.delivered += 1
            if point is not None:
                kind = "automatic" if automatic else "human"
                setattr(point, kind, getattr(point, kind) + 1)
        elif status == Reply.Status.FAILED:
            figures.failed += 1
            if point is not None:
                point.failed += 1
        else:
            figures.open += 1
    result.days = list(days.values())
