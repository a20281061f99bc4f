"""The reply history's and the KPIs' filter chains (django-filter). The querysets they narrow
come from selectors, already scoped to the user's merchants; so do the merchants and agents
they offer.

Query-string names (bookmarks, exports): agent, merchant, status, endpoint, origin, date_from,
date_to, errors_only, error_code, q; the KPIs: merchant, date_from, date_to.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from console.filters import DATE_INPUT, ChainFilterSet, CheckboxFilter
from console.people import PersonChoiceField
from messaging.models import Reply, ReplyAttempt

KPI_DEFAULT_DAYS = 30
KPI_MAX_DAYS = 366


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def _failed_attempts() -> QuerySet[ReplyAttempt]:
    return ReplyAttempt.objects.filter(reply=OuterRef("pk")).exclude(
        outcome=ReplyAttempt.Outcome.DELIVERED
    )


class HistoryFilter(ChainFilterSet):
    agent = PersonFilter(
        field_name="author", queryset=None, label=_("Agent"), empty_label=_("All agents")
    )
    merchant = django_filters.ModelChoiceFilter(
        queryset=None, label=_("Merchant"), empty_label=_("All merchants")
    )
    status = django_filters.ChoiceFilter(
        choices=Reply.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    endpoint = django_filters.ChoiceFilter(
        choices=Reply.Endpoint.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    origin = django_filters.ChoiceFilter(
        choices=[("human", _("Agents only")), ("automatic", _("Automatic only"))],
        label=_("Written by"),
        empty_label=_("Agents and automation"),
        method="filter_origin",
    )
    date_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("From"), widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("To"), widget=DATE_INPUT
    )
    errors_only = CheckboxFilter(label=_("With errors only"), method="filter_errors_only")
    error_code = django_filters.CharFilter(
        label=_("Error code"), max_length=64, method="filter_error_code"
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        max_length=128,
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("Complaint ID, log ID or idempotency ID")}),
    )

    def __init__(self, data=None, *, queryset: QuerySet, merchants=None, authors=None) -> None:
        super().__init__(data, queryset=queryset)
        self.filters["merchant"].queryset = merchants
        self.filters["agent"].queryset = authors

    def filter_origin(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(is_automatic=value == "automatic")

    def filter_errors_only(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return qs
        return qs.filter(Q(status=Reply.Status.FAILED) | Exists(_failed_attempts()))

    def filter_error_code(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        code = value.strip()
        if not code:
            return qs
        return qs.filter(
            Q(error_code__iexact=code) | Exists(_failed_attempts().filter(wechat_code__iexact=code))
        )

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        condition = Q(complaint__complaint_id=value) | Q(log_id=value)
        with contextlib.suppress(ValueError):  # not a UUID: search the other ids only
            condition |= Q(idempotent_id=uuid.UUID(value))
        return qs.filter(condition)


class KpiForm(forms.Form):
    """The period is checked as a whole: in order, and at most a year."""

    def clean(self) -> dict:
        data = super().clean()
        date_from, date_to = kpi_period(data.get("date_from"), data.get("date_to"))
        if date_from > date_to:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (date_to - date_from).days >= KPI_MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most one year."))
        data["date_from"], data["date_to"] = date_from, date_to
        return data


def kpi_period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The days the KPIs cover: the last 30 unless chosen (either end may be left open)."""
    date_to = date_to or timezone.localdate()
    return date_from or date_to - timedelta(days=KPI_DEFAULT_DAYS - 1), date_to


class KpiFilter(ChainFilterSet):
    """Narrows complaints by when they were made and replies by when they were written: the
    figures' two querysets take the same filters (`date_field` names the column)."""

    merchant = django_filters.ModelChoiceFilter(
        queryset=None, label=_("Merchant"), empty_label=_("All merchants")
    )
    date_from = django_filters.DateFilter(
        label=_("From"), widget=DATE_INPUT, method="filter_date_from"
    )
    date_to = django_filters.DateFilter(label=_("To"), widget=DATE_INPUT, method="filter_date_to")

    class Meta:
        form = KpiForm

    def __init__(
        self,
        data=None,
        *,
        queryset: QuerySet | None = None,
        merchants=None,
        date_field: str = "complaint_time",
    ) -> None:
        super().__init__(data, queryset=Complaint.objects.none() if queryset is None else queryset)
        self.filters["merchant"].queryset = merchants
        self.date_field = date_field

    def filter_date_from(self, qs: QuerySet, name: str, value: date) -> QuerySet:
        return qs.filter(**{f"{self.date_field}__date__gte": value})

    def filter_date_to(self, qs: QuerySet, name: str, value: date) -> QuerySet:
        return qs.filter(**{f"{self.date_field}__date__lte": value})
