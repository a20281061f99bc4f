"""Refund history (list, CSV) for supervisors and admins, and the refund KPIs panel."""

from __future__ import annotations

from datetime import date, timedelta
from functools import wraps

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from console.roles import perm
from merchants.selectors import merchants_visible_to
from refunds import exports, selectors
from refunds.filters import RefundHistoryFilter

PAGE_SIZE = 25
KPI_DAYS = 30


def history_required(view):
    """Supervisors (review_replies) and admins (manage_merchants) read refund history."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        user = request.user
        if not (user.has_perm(perm("review_replies")) or user.has_perm(perm("manage_merchants"))):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _filtered(request: HttpRequest) -> RefundHistoryFilter:
    """The filters and the refunds they select; a filter that cannot be read is left out (the
    page names it) and the others still apply, to the list and the CSV alike."""
    return RefundHistoryFilter(
        request.GET or None,
        queryset=selectors.refund_history(request.user),
        merchants=merchants_visible_to(request.user).order_by("name"),
    )


@require_GET
@history_required
def history(request: HttpRequest) -> HttpResponse:
    chain = _filtered(request)
    page = Paginator(chain.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "refunds/history.html",
        {"form": chain.form, "page": page, "query": query.urlencode()},
    )


@require_GET
@history_required
def history_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.csv_lines(_filtered(request).qs), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="refunds-{stamp}.csv"'
    return response


@require_GET
@history_required
def history_link(request: HttpRequest) -> HttpResponse:
    """The reply-history page's pointer to the refund history (a panel)."""
    return render(request, "refunds/_history_link.html")


class KpiPeriodForm(forms.Form):
    """The KPIs page's own filters (merchant, from, to), read again by the panel."""

    merchant = forms.ModelChoiceField(queryset=None, required=False)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchant"].queryset = merchants_visible_to(user)

    def period(self) -> tuple[int | None, date, date]:
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or date_to - timedelta(days=KPI_DAYS - 1)
        merchant = data.get("merchant")
        return (merchant.pk if merchant else None), date_from, date_to


@require_GET
@history_required
def kpis_panel(request: HttpRequest) -> HttpResponse:
    """Refunded amounts and complaints resolved by refund, for the KPIs page's filters."""
    merchant_id, date_from, date_to = KpiPeriodForm(request.GET, user=request.user).period()
    kpis = selectors.refund_kpis(
        request.user, merchant_id=merchant_id, date_from=date_from, date_to=date_to
    )
    return render(request, "refunds/_kpis.html", {"kpis": kpis})
