"""The refund panel of a complaint page: the order as WeChat Pay knows it, its refunds, the form."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints.selectors import complaint_for_detail, refund_decided
from console.http import client_ip
from console.roles import perm
from refunds import selectors, services
from refunds.forms import RefundForm
from refunds.models import OrderSnapshot

logger = logging.getLogger(__name__)
WORK = perm("work_complaints")
STALE_AFTER = timedelta(minutes=10)


def panel_context(request: HttpRequest, complaint, form: RefundForm | None = None, **extra) -> dict:
    refunds = selectors.complaint_refunds(complaint)
    balance = services.order_balance(complaint)
    # Approving is part of the refund until WeChat Pay has a decision (then it is a refund).
    is_refund_request = (
        complaint.problem_type == "REFUND"
        and complaint.complaint_state != "PROCESSED"
        and not refund_decided(complaint)
    )
    if form is None:
        amount = balance.refundable
        if is_refund_request and complaint.apply_refund_amount:
            amount = min(amount, complaint.apply_refund_amount)  # what the consumer asked for
        form = RefundForm(
            initial={
                "amount": f"{amount / 100:.2f}" if amount else "",
                "seen_refunds": len(refunds),
                "launch_refund_day": 0,  # the console refunds at once, after the approval
            }
        )
    for refund in refunds:
        refund.explanation = (
            services.refund_failure_explanation(refund)
            if refund.status in ("failed", "closed", "abnormal")
            else ""
        )
    return {
        "complaint": complaint,
        "snapshot": selectors.order_snapshot(complaint),
        "balance": balance,
        "refunds": refunds,
        "form": form,
        "can_refund": request.user.has_perm(perm("decide_refund"))
        and bool(complaint.transaction_id),
        "can_approve": request.user.has_perm(perm("review_replies")),
        "limits": services.limits_for(complaint.merchant),
        "is_refund_request": is_refund_request,
        **extra,
    }


def _ensure_fresh(complaint) -> None:
    """The first look at a complaint's refunds (or a stale one) asks for the order by task."""
    snapshot = selectors.order_snapshot(complaint)
    now = timezone.now()
    if not complaint.transaction_id:
        return
    if snapshot is not None and snapshot.status == OrderSnapshot.Status.FETCHING:
        if snapshot.requested_at and snapshot.requested_at > now - STALE_AFTER:
            return
    elif snapshot is not None and snapshot.fetched_at and snapshot.fetched_at > now - STALE_AFTER:
        return
    try:
        services.order_refresh_request(complaint=complaint)
    except Exception:  # noqa: BLE001 - broker down: the page shows the last answer meanwhile
        logger.warning("order fetch for complaint %s not queued", complaint.pk, exc_info=True)


@require_GET
@permission_required(WORK, raise_exception=True)
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    _ensure_fresh(complaint)
    # A live re-read takes the status part only: the form keeps what the agent is typing.
    template = "refunds/_panel_status.html" if request.GET.get("part") == "status" else None
    return render(request, template or "refunds/_panel.html", panel_context(request, complaint))


@require_POST
@permission_required(WORK, raise_exception=True)
def order_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    services.order_refresh_request(complaint=complaint)
    if request.htmx:
        return render(request, "refunds/_panel.html", panel_context(request, complaint))
    return redirect("complaints:detail", pk=complaint.pk)


def _answer(request: HttpRequest, complaint, status: int = 200, **context) -> HttpResponse:
    if request.htmx:  # htmx swaps 2xx only: the error is shown inside the panel
        return render(request, "refunds/_panel.html", panel_context(request, complaint, **context))
    template = "refunds/panel_page.html"
    return render(request, template, panel_context(request, complaint, **context), status=status)


@require_POST
@permission_required(perm("decide_refund"), raise_exception=True)
def refund_create(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    form = RefundForm(request.POST)
    if not form.is_valid():
        return _answer(request, complaint, 400, form=form)
    data = form.cleaned_data
    try:
        refund = services.refund_request(
            complaint=complaint,
            user=request.user,
            amount=data["amount"],
            reason=data["reason"],
            request_key=data["request_key"],
            seen_refunds=data["seen_refunds"],
            launch_refund_day=data["launch_refund_day"],
            ip=client_ip(request),
        )
    except services.RefundError as exc:
        form.add_error(None, str(exc))
        return _answer(request, complaint, 400 if not request.htmx else 200, form=form)
    if refund.status == refund.Status.AWAITING_APPROVAL:
        notice = _("Above your limit: the refund waits for a supervisor's approval.")
    else:
        notice = _("Refund sent to WeChat Pay; this panel shows when it arrives.")
    if request.htmx:
        return _answer(request, complaint, notice=notice)
    messages.success(request, notice)
    return redirect("complaints:detail", pk=complaint.pk)
