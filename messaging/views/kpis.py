"""Supervisor KPIs with a server-rendered SVG chart (no script, CSP-friendly)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from console.roles import perm
from merchants.selectors import merchants_visible_to
from messaging.selectors.kpis import DayPoint, kpis_for

review_required = permission_required(perm("review_replies"), raise_exception=True)
DEFAULT_DAYS = 30
MAX_DAYS = 366
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 200, 24


class KpiFilterForm(forms.Form):
    merchant = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Merchant"), empty_label=_("All merchants")
    )
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchant"].queryset = merchants_visible_to(user).order_by("name")

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (date_to - date_from).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most one year."))
        data["date_from"], data["date_to"] = date_from, date_to
        return data


def chart(days: list[DayPoint]) -> dict:
    """Bars per day (agents' and automatic deliveries stacked, failures beside), as SVG geometry."""
    top = max([d.human + d.automatic for d in days] + [d.failed for d in days] + [1])
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
    slot = inner_w / max(len(days), 1)
    bar = max(slot * 0.4, 1.0)
    bars = []
    for i, day in enumerate(days):
        x = CHART_PAD + i * slot
        human_h = inner_h * day.human / top
        auto_h = inner_h * day.automatic / top
        failed_h = inner_h * day.failed / top
        base = CHART_PAD + inner_h
        bars.append(
            {
                "day": day,
                "x": round(x, 1),
                "x2": round(x + bar, 1),
                "width": round(bar, 1),
                "human_y": round(base - human_h, 1),
                "human_h": round(human_h, 1),
                "auto_y": round(base - human_h - auto_h, 1),
                "auto_h": round(auto_h, 1),
                "failed_y": round(base - failed_h, 1),
                "failed_h": round(failed_h, 1),
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "pad": CHART_PAD,
        "baseline": CHART_PAD + inner_h,
        "right": CHART_WIDTH - CHART_PAD,
        "top": top,
        "bars": bars,
        "first": days[0].day if days else None,
        "last": days[-1].day if days else None,
    }


@require_GET
@review_required
def kpis(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    # Show the period the figures cover: the last 30 days unless chosen.
    today = timezone.localdate()
    if not data.get("date_from") and not data.get("date_to"):
        data["date_from"] = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        data["date_to"] = today.isoformat()
    form = KpiFilterForm(data, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        merchant = data.get("merchant")
        figures = kpis_for(
            request.user,
            date_from=data["date_from"],
            date_to=data["date_to"],
            merchant_id=merchant.pk if merchant else None,
        )
    else:
        figures = kpis_for(
            request.user, date_from=today - timedelta(days=DEFAULT_DAYS - 1), date_to=today
        )
    return render(
        request,
        "messaging/kpis/index.html",
        {"form": form, "kpis": figures, "chart": chart(figures.days)},
    )
