"""Supervisor KPIs with a server-rendered SVG chart (no script, CSP-friendly)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.roles import perm
from merchants.selectors import merchants_visible_to
from messaging.filters import KpiFilter, kpi_period
from messaging.selectors.kpis import DayPoint, kpis_for

review_required = permission_required(perm("review_replies"), raise_exception=True)
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 200, 24


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
    if not data.get("date_from") and not data.get("date_to"):  # show the period the figures cover
        data["date_from"], data["date_to"] = (day.isoformat() for day in kpi_period(None, None))
    chain = KpiFilter(data, merchants=merchants_visible_to(request.user).order_by("name"))
    values = chain.valid_data()  # what could not be read is left out; the page names it
    if chain.form.non_field_errors():  # the period as a whole (reversed, over a year)
        values.pop("date_from", None), values.pop("date_to", None)
    date_from, date_to = kpi_period(values.get("date_from"), values.get("date_to"))
    merchant = values.get("merchant")
    figures = kpis_for(
        request.user,
        date_from=date_from,
        date_to=date_to,
        merchant_id=merchant.pk if merchant else None,
    )
    return render(
        request,
        "messaging/kpis/index.html",
        {"form": chain.form, "kpis": figures, "chart": chart(figures.days)},
    )
