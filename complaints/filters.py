"""The queue's filter chain (django-filter): one FilterSet parses the query string, renders the
filter form and narrows the complaints a selector handed it (scoped to the user's merchants).

The query-string names are the queue's public URLs (bookmarks, shared links): view, merchant,
state, problem_type, refund, date_from, date_to, q.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import OPEN, Complaint
from complaints.search.query import search_condition
from complaints.search.text import MAX_QUERY_CHARS
from console.filters import DATE_INPUT, ChainFilterSet, CheckboxFilter

QUEUE_VIEWS = (
    "open",
    "immediate",
    "new_message",
    "due_soon",
    "mine",
    "unassigned",
    "processing",
    "done",
)
VIEW_LABELS = {
    "open": _("All open"),
    "immediate": _("Needs immediate service"),
    "new_message": _("New user message"),
    "due_soon": _("Due soon"),
    "mine": _("Mine"),
    "unassigned": _("Unassigned"),
    "processing": _("Processing"),
    "done": _("Done"),
}
PROBLEM_TYPES = [
    ("REFUND", _("Refund requested")),
    ("SERVICE_NOT_WORK", _("Service not working")),
    ("OTHERS", _("Other")),
]


def view_queryset(qs: QuerySet[Complaint], view: str, user) -> QuerySet[Complaint]:
    """Each view's conditions match one partial index (see Complaint.Meta.indexes)."""
    if view == "done":
        return qs.filter(complaint_state=Complaint.State.PROCESSED)
    if view == "processing":
        return qs.filter(complaint_state=Complaint.State.PROCESSING)
    qs = qs.filter(OPEN)
    if view == "immediate":
        return qs.filter(need_immediate_service=True)
    if view == "new_message":
        return qs.filter(incoming_user_response=True)
    if view == "due_soon":
        return qs.filter(sla_status__in=[Complaint.Sla.AT_RISK, Complaint.Sla.OVERDUE])
    if view == "mine":
        return qs.filter(assignee=user)
    if view == "unassigned":
        return qs.filter(assignee=None)
    return qs


def _day_start(day) -> datetime:
    """Midnight of a day in the console's time zone (Asia/Shanghai), as an aware datetime."""
    return datetime.combine(day, time.min, timezone.get_current_timezone())


class QueueFilter(ChainFilterSet):
    view = django_filters.ChoiceFilter(
        label=_("Queue views"),
        choices=[(v, VIEW_LABELS[v]) for v in QUEUE_VIEWS],
        method="filter_view",
    )
    merchant = django_filters.ChoiceFilter(
        field_name="merchant_id", label=_("Merchant"), empty_label=_("All merchants")
    )
    state = django_filters.ChoiceFilter(
        field_name="complaint_state",
        label=_("State"),
        choices=Complaint.State.choices,
        empty_label=_("Any state"),
    )
    problem_type = django_filters.ChoiceFilter(
        label=_("Problem type"), choices=PROBLEM_TYPES, empty_label=_("Any problem type")
    )
    refund = CheckboxFilter(label=_("Refund requested"), method="filter_refund")
    date_from = django_filters.DateFilter(label=_("From"), widget=DATE_INPUT, method="filter_from")
    date_to = django_filters.DateFilter(label=_("To"), widget=DATE_INPUT, method="filter_to")
    # No max_length: a pasted essay must not invalidate the search; it reads its first
    # MAX_QUERY_CHARS characters.
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "maxlength": MAX_QUERY_CHARS,
                "placeholder": _("Complaint ID, order number, phone suffix or text"),
            }
        ),
    )

    def __init__(
        self, data: Mapping | None = None, *, queryset: QuerySet, user, merchants: Iterable = ()
    ) -> None:
        super().__init__(data, queryset=queryset)
        self.user = user
        self.filters["merchant"].extra["choices"] = [(m.pk, str(m)) for m in merchants]

    def filter_view(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return view_queryset(qs, value, self.user)

    def filter_refund(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        return qs.filter(problem_type="REFUND") if value else qs

    def filter_from(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs.filter(complaint_time__gte=_day_start(value))

    def filter_to(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs.filter(complaint_time__lt=_day_start(value + timedelta(days=1)))

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value[:MAX_QUERY_CHARS]
        # `within`: a whole number is first looked up among the rows already narrowed.
        return qs.filter(search_condition(value, within=qs)) if value.strip() else qs

    def filter_values(self, queryset: QuerySet, values: Mapping[str, Any]) -> QuerySet:
        """No view given (or none readable) means the open complaints, as on the first page."""
        return super().filter_values(queryset, {**values, "view": values.get("view") or "open"})
