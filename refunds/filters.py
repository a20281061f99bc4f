"""The refund history's filter chain (django-filter), like the reply history's: it narrows a
queryset the selector has already scoped to the user's merchants, and offers only those merchants.

Query-string names (bookmarks, the CSV link): merchant, status, date_from, date_to, q.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from console.filters import DATE_INPUT, ChainFilterSet
from refunds.models import Refund


class RefundHistoryFilter(ChainFilterSet):
    merchant = django_filters.ModelChoiceFilter(
        queryset=None, label=_("Merchant"), empty_label=_("All merchants")
    )
    status = django_filters.ChoiceFilter(
        choices=Refund.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    date_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("From"), widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("To"), widget=DATE_INPUT
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        max_length=128,
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("Complaint ID or refund number")}),
    )

    def __init__(self, data=None, *, queryset: QuerySet, merchants: QuerySet) -> None:
        super().__init__(data, queryset=queryset)
        self.filters["merchant"].queryset = merchants

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(complaint__complaint_id=value) | Q(out_refund_no=value) | Q(refund_id=value)
            | Q(transaction_id=value)
        )  # fmt: skip
