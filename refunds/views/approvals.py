"""Supervisors: the queue of refunds waiting for approval, and the per-merchant limits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.http import client_ip
from console.roles import perm
from merchants.selectors import merchants_visible_to
from refunds import selectors, services
from refunds.forms import DeclineForm, LimitsForm
from refunds.models import Refund

review_required = permission_required(perm("review_replies"), raise_exception=True)


def _queue_context(request: HttpRequest, **extra) -> dict:
    return {
        "waiting": list(selectors.awaiting_approval(request.user)),
        "decline_form": DeclineForm(),
        **extra,
    }


@require_GET
@review_required
def approvals(request: HttpRequest) -> HttpResponse:
    template = "refunds/_approvals.html" if request.htmx else "refunds/approvals.html"
    return render(request, template, _queue_context(request))


def _after_decision(request: HttpRequest, error: str = "", notice: str = "") -> HttpResponse:
    if request.htmx:
        context = _queue_context(request, error=error, notice=notice)
        return render(request, "refunds/_approvals.html", context)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect("refunds:approvals")


@require_POST
@review_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    refund = selectors.refund_for(request.user, pk)
    try:
        services.refund_approve(refund_pk=refund.pk, user=request.user, ip=client_ip(request))
    except Refund.DoesNotExist as exc:
        raise Http404 from exc
    except services.RefundError as exc:
        return _after_decision(request, error=str(exc))
    return _after_decision(request, notice=_("Approved: the refund is on its way."))


@require_POST
@review_required
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    refund = selectors.refund_for(request.user, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _after_decision(request, error=_("Say why the refund is declined."))
    try:
        services.refund_decline(
            refund_pk=refund.pk, user=request.user, reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )  # fmt: skip
    except Refund.DoesNotExist as exc:
        raise Http404 from exc
    except services.RefundError as exc:
        return _after_decision(request, error=str(exc))
    return _after_decision(request, notice=_("Declined."))


def _limits_rows(request: HttpRequest, bound: dict | None = None) -> list[dict]:
    rows = []
    for merchant in merchants_visible_to(request.user).order_by("name"):
        limits = services.limits_for(merchant)
        form = (bound or {}).get(merchant.pk) or LimitsForm(
            prefix=f"m{merchant.pk}",
            initial={
                "per_refund": f"{limits.per_refund / 100:.2f}",
                "per_day": f"{limits.per_day / 100:.2f}",
            },
        )
        rows.append({"merchant": merchant, "limits": limits, "form": form})
    return rows


@require_GET
@review_required
def limits(request: HttpRequest) -> HttpResponse:
    return render(request, "refunds/limits.html", {"rows": _limits_rows(request)})


@require_http_methods(["POST"])
@review_required
def limits_save(request: HttpRequest, merchant_pk: int) -> HttpResponse:
    merchant = get_object_or_404(merchants_visible_to(request.user), pk=merchant_pk)
    form = LimitsForm(request.POST, prefix=f"m{merchant.pk}")
    if form.is_valid():
        try:
            services.limits_set(
                merchant=merchant,
                per_refund=form.cleaned_data["per_refund"],
                per_day=form.cleaned_data["per_day"],
                user=request.user,
                ip=client_ip(request),
            )
        except services.LimitsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Refund limits saved."))
            return redirect("refunds:limits")
    rows = _limits_rows(request, bound={merchant.pk: form})
    return render(request, "refunds/limits.html", {"rows": rows}, status=400)
