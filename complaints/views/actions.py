"""State-changing actions on one complaint: claim, assign, release, complete, refund."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints import services
from complaints.forms import AssignForm, CompleteForm, RefundForm
from complaints.ports import approves_with_refund
from complaints.search.query import search_hits
from complaints.selectors import complaint_for_detail
from complaints.views.detail import detail_context
from complaints.views.rows import queue_rows
from console.roles import perm

WORK = perm("work_complaints")


def _after_assignment(request: HttpRequest, complaint, error: str = "") -> HttpResponse:
    """htmx: the queue row or the detail's assignee panel; otherwise back to the detail."""
    if request.htmx:
        complaint = complaint_for_detail(request.user, complaint.pk)
        if request.POST.get("fragment") == "row":
            presence = services.present_on_many([complaint.pk], exclude_user=request.user)
            q = request.POST.get("q", "")  # the queue's search: the row keeps where it matched
            hits = search_hits([complaint], q) if q.strip() else {}
            (row,) = queue_rows([complaint], presence, error, hits=hits, search=q)
            return render(
                request, "complaints/_queue_row.html", {"row": row, "claim_label": _("Claim")}
            )
        return render(
            request,
            "complaints/_assignee.html",
            {
                "complaint": complaint,
                "assignable": list(services.assignable_users(complaint)),
                "error": error,
            },
        )
    if error:
        messages.error(request, error)
    return redirect("complaints:detail", pk=complaint.pk)


@require_POST
@permission_required(WORK, raise_exception=True)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    try:
        complaint = services.complaint_claim(complaint_pk=complaint.pk, user=request.user)
    except services.AlreadyClaimed as exc:
        return _after_assignment(request, complaint, str(exc))
    return _after_assignment(request, complaint)


@require_POST
@permission_required(WORK, raise_exception=True)
def release(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    try:
        complaint = services.complaint_release(complaint_pk=complaint.pk, user=request.user)
    except services.WorkError as exc:
        return _after_assignment(request, complaint, str(exc))
    return _after_assignment(request, complaint)


@require_POST
@permission_required(WORK, raise_exception=True)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _after_assignment(request, complaint, _("Choose whom to assign it to."))
    try:
        complaint = services.complaint_assign(
            complaint_pk=complaint.pk, assignee_pk=form.cleaned_data["assignee"], by=request.user
        )
    except services.WorkError as exc:
        return _after_assignment(request, complaint, str(exc))
    return _after_assignment(request, complaint)


@require_POST
@permission_required(perm("complete_complaint"), raise_exception=True)
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_complete_request(
                complaint=complaint,
                user=request.user,
                idempotent_id=form.cleaned_data["idempotent_id"],
            )
        except services.WorkError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Marking as processed: sent to WeChat Pay."))
            return redirect("complaints:detail", pk=complaint.pk)
    context = detail_context(request, complaint, complete_form=form)
    return render(request, "complaints/detail.html", context, status=400)


@require_POST
@permission_required(perm("decide_refund"), raise_exception=True)
def refund(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    form = RefundForm(request.POST, reject_only=approves_with_refund(complaint))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.complaint_refund_decide(
                complaint=complaint,
                user=request.user,
                idempotent_id=data["idempotent_id"],
                action=data["action"],
                launch_refund_day=data.get("launch_refund_day"),
                reject_reason=data.get("reject_reason") or "",
                remark=data.get("remark") or "",
            )
        except services.WorkError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Refund decision: sent to WeChat Pay."))
            return redirect("complaints:detail", pk=complaint.pk)
    context = detail_context(request, complaint, refund_form=form)
    return render(request, "complaints/detail.html", context, status=400)
