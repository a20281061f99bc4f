"""One complaint: facts, images, the merged timeline, actions, presence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints import services
from complaints.conversation import conversation
from complaints.forms import CompleteForm, NoteForm, RefundForm
from complaints.ports import approves_with_refund
from complaints.selectors import (
    complaint_for_detail,
    complaint_images,
    complaint_timeline,
    image_for,
    refund_decided,
)
from console.http import client_ip
from console.roles import perm

WORK = perm("work_complaints")


def _pending_endpoints(timeline: list) -> set[str]:
    """Endpoints with a reply queued or on its way (read from the timeline's replies): their
    forms give way to a notice until WeChat Pay confirms, so nobody sends twice."""
    return {
        item.obj.endpoint
        for item in timeline
        if item.source == "reply" and item.obj.status in item.obj.OPEN_STATUSES
    }


def timeline_context(complaint, timeline: list) -> dict:
    """The timeline, and for an immediate-service complaint the same items as a conversation
    (the page then shows the chat instead of the list)."""
    chat = conversation(timeline) if complaint.need_immediate_service else None
    return {"complaint": complaint, "timeline": timeline, "conversation": chat}


def detail_context(request: HttpRequest, complaint, **extra) -> dict:
    timeline = complaint_timeline(complaint)
    # A refund is decided once (§3.7): after WeChat Pay confirmed it, its form is gone (the
    # timeline shows the decision), unless it comes back with the error of a refused attempt.
    refund_open = "refund_form" in extra or not refund_decided(complaint)
    return {
        **timeline_context(complaint, timeline),
        "pending": _pending_endpoints(timeline),
        "images": complaint_images(complaint),
        "assignable": list(services.assignable_users(complaint)),
        "present": services.present_on(complaint.pk, exclude_user=request.user),
        "note_form": extra.pop("note_form", None) or NoteForm(),
        "complete_form": extra.pop("complete_form", None) or CompleteForm(),
        "refund_form": extra.pop("refund_form", None)
        or RefundForm(reject_only=approves_with_refund(complaint)),
        "can_reveal": request.user.has_perm(perm("reveal_phone")),
        "can_complete": request.user.has_perm(perm("complete_complaint")),
        "can_refund": request.user.has_perm(perm("decide_refund")) and refund_open,
        "order": complaint.complaint_order_info[0] if complaint.complaint_order_info else None,
        "presence_page": services.presence_page_id(),  # this page's own, for presence
        **extra,
    }


@require_GET
@permission_required(WORK, raise_exception=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    # Images not here yet are fetched by a task; the page follows them (images view below).
    services.complaint_images_fetch(complaint=complaint)
    context = detail_context(request, complaint)
    services.presence_touch(
        complaint_pk=complaint.pk,
        user=request.user,
        page=context["presence_page"],
        merchant_id=complaint.merchant_id,
    )
    return render(request, "complaints/detail.html", context)


@require_GET
@permission_required(WORK, raise_exception=True)
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    context = timeline_context(complaint, complaint_timeline(complaint))
    context["assignable"] = list(services.assignable_users(complaint))
    return render(request, "complaints/_timeline_refresh.html", context)


@require_POST
@permission_required(WORK, raise_exception=True)
def presence(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    services.presence_touch(
        complaint_pk=complaint.pk,
        user=request.user,
        page=services.presence_page_id(request.POST.get("page")),
        mode=request.POST.get("mode", "viewing"),
        merchant_id=complaint.merchant_id,
    )
    present = services.present_on(complaint.pk, exclude_user=request.user)
    return render(request, "complaints/_presence.html", {"present": present})


@require_POST
@permission_required(WORK, raise_exception=True)
def note(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(complaint=complaint, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Note added."))
        return redirect("complaints:detail", pk=complaint.pk)
    context = detail_context(request, complaint, note_form=form)
    return render(request, "complaints/detail.html", context, status=400)


@require_POST
@permission_required(perm("reveal_phone"), raise_exception=True)
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = complaint_for_detail(request.user, pk)
    try:
        phone = services.phone_reveal(complaint=complaint, user=request.user, ip=client_ip(request))
    except services.WorkError as exc:
        return render(request, "complaints/_phone.html", {"complaint": complaint, "error": exc})
    response = render(request, "complaints/_phone.html", {"complaint": complaint, "phone": phone})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@permission_required(WORK, raise_exception=True)
def image(request: HttpRequest, pk: int, image_pk: int) -> HttpResponse:
    """A complaint image's bytes, as the console keeps them (fetched by a task, never here)."""
    found = image_for(request.user, pk, image_pk)
    try:
        content, content_type = services.image_content(image=found)
    except services.ImageNotFetched:
        return HttpResponse(
            _("This image has not been fetched from WeChat Pay yet."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = "inline"
    return response


def _images(request: HttpRequest, complaint, status: int = 200) -> HttpResponse:
    context = {"complaint": complaint, "images": complaint_images(complaint)}
    return render(request, "complaints/_images_list.html", context, status=status)


@require_GET
@permission_required(WORK, raise_exception=True)
def images(request: HttpRequest, pk: int) -> HttpResponse:
    """The complaint's images with their fetch status (re-read on "complaint_image.changed")."""
    return _images(request, complaint_for_detail(request.user, pk))


@require_POST
@permission_required(WORK, raise_exception=True)
def image_fetch(request: HttpRequest, pk: int, image_pk: int) -> HttpResponse:
    """Fetch a failed image again (a task); answers with the images, now showing it pending."""
    found = image_for(request.user, pk, image_pk)
    services.complaint_images_fetch(complaint=found.complaint, image_pks=[found.pk], again=True)
    return _images(request, found.complaint)
