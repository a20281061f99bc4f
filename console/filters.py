"""What the console's FilterSets (django-filter) share: each app's `filters.py` declares its
chain; selectors apply it to a queryset they have already scoped to the user's merchants.

A filter that cannot be read (a malformed date, a merchant the user does not work for) is left
out and the page says so (templates/console/_filter_errors.html); the others still apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from console.audit_labels import action_choices

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class CheckboxFilter(django_filters.Filter):
    """A tick box: present ("on") or absent, not django-filter's yes / no / unknown list."""

    field_class = forms.BooleanField


class ChainFilterSet(django_filters.FilterSet):
    def valid_data(self) -> dict[str, Any]:
        """The typed values of the filters that could be read (all of them when none failed)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return dict(self.form.cleaned_data)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self.filter_values(queryset, self.valid_data())

    def filter_values(self, queryset: QuerySet, values: Mapping[str, Any]) -> QuerySet:
        """The chain applied to typed values (a form's, or a selector's): empty ones skip."""
        for name, value in values.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset


class AuditFilter(ChainFilterSet):
    """The audit log's filters (query-string names action, actor, mchid, since, until)."""

    action = django_filters.ChoiceFilter(
        label=_("Action"),
        choices=action_choices,
        empty_label=_("All actions"),
        lookup_expr="startswith",
    )
    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="icontains", label=_("User"), max_length=150
    )
    mchid = django_filters.CharFilter(label=_("Merchant ID"), max_length=64)
    since = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("From"), widget=DATE_INPUT
    )
    until = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("To"), widget=DATE_INPUT
    )
