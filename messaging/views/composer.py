"""The reply composer of one complaint: render, autosave drafts, preview, confirm and send."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from complaints.models import Complaint, HistoryEntry
from console.roles import perm
from messaging.models import Draft, Reply, ReplyTemplate
from messaging.schema import (
    ValidationResult,
    to_wechat_payload,
    validate_normal_message,
    validate_plain_reply,
)
from messaging.schema.places import for_agents, kind_label
from messaging.selectors.composer import (
    complaint_for_composer,
    draft_for,
    templates_for_merchant,
)
from messaging.services import drafts
from messaging.services.composer import composer_send as composer_send_service
from messaging.services.replies import StaleReplyError
from messaging.services.templates import template_blocks_for, template_plain_text

work_required = permission_required(perm("work_complaints"), raise_exception=True)


def empty_content(mode: str) -> dict[str, Any]:
    if mode == Draft.Kind.MESSAGE:
        return {"blocks": [], "sender_identity": "MANUAL"}
    return {"response_content": ""}


def validate_content(mode: str, content: Any) -> ValidationResult:
    if mode == Draft.Kind.MESSAGE:
        return validate_normal_message(content)
    return validate_plain_reply(content)


def preview_html(mode: str, content: Any, result: ValidationResult | None = None) -> str:
    """The preview of what would be sent: the validated payload when valid, else the draft as is.

    Rendered by the same templates as the timeline and the reply history.
    """
    result = result or validate_content(mode, content)
    shown = to_wechat_payload(result.message) if result.ok else renderable(content)
    if mode == Draft.Kind.MESSAGE:
        return render_to_string("messaging/_normal_message.html", {"message": shown})
    return render_to_string("messaging/_plain_reply.html", {"reply": shown})


def renderable(content: Any) -> dict[str, Any]:
    """A half-typed draft reduced to what the templates can walk (dicts in lists, no surprises)."""
    if not isinstance(content, dict):
        return {}
    shown = dict(content)
    blocks = content.get("blocks")
    shown["blocks"] = [b for b in blocks if isinstance(b, dict)] if isinstance(blocks, list) else []
    images = content.get("response_images")
    shown["response_images"] = (
        [i for i in images if isinstance(i, str)] if isinstance(images, list) else []
    )
    return shown


def preview_payload(mode: str, content: Any) -> dict[str, Any]:
    """The preview, and each error and warning as ``[path, message, line]`` (see for_agents)."""
    result = validate_content(mode, content)
    return {
        "preview": preview_html(mode, content, result),
        "errors": for_agents(result.errors, content),
        "warnings": for_agents(result.warnings, content),
    }


def error_lines(result: ValidationResult, content: Any) -> list[str]:
    """The errors as the agent reads them: by block position and kind, never by path."""
    return [line for _path, _text, line in for_agents(result.errors, content)]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_content(raw: str | None) -> dict[str, Any]:
    """The composer's JSON; raises ValueError with a message for the agent."""
    if not raw:
        raise ValueError(_("Nothing was sent: the reply content is missing."))
    try:
        # NaN and Infinity are not JSON (and PostgreSQL refuses them): reject, never store.
        content = json.loads(raw, parse_constant=_reject_constant)
    except ValueError as exc:
        raise ValueError(_("The reply content is not valid JSON.")) from exc
    if not isinstance(content, dict):
        raise ValueError(_("The reply content must be a JSON object."))
    return content


def _local_time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M:%S")


def _seen_version(raw: str | None, complaint: Complaint) -> int:
    try:
        seen = int(raw or "")
    except ValueError:
        return complaint.activity_version
    return seen if 0 <= seen <= complaint.activity_version else complaint.activity_version


def composer_urls(complaint: Complaint) -> dict[str, str]:
    pk = complaint.pk
    return {
        "preview": reverse("messaging:composer_preview", args=[pk]),
        "save": reverse("messaging:draft_save", args=[pk]),
        "discard": reverse("messaging:draft_discard", args=[pk]),
        "confirm": reverse("messaging:composer_confirm", args=[pk]),
        "send": reverse("messaging:composer_send", args=[pk]),
        # The controller replaces the 0 with the chosen template's id.
        "template_insert": reverse("messaging:template_insert", args=[pk, 0]),
        "image_upload": reverse("messaging:image_upload", args=[complaint.merchant_id]),
        "image_library": reverse("messaging:image_library", args=[complaint.merchant_id]),
        "image_media": reverse("messaging:image_media"),
        "image_retry": reverse("messaging:image_retry", args=[0]),
    }


def composer_context(
    request: HttpRequest, complaint: Complaint, *, seen: str | None = None, sent_reply=None
) -> dict[str, Any]:
    mode = drafts.draft_kind_for(complaint)
    draft = draft_for(complaint=complaint, author=request.user)
    content = draft.content if draft is not None and draft.kind == mode else empty_content(mode)
    return {
        "complaint": complaint,
        "mode": mode,
        "initial": content,
        # In an attribute, not a <script>: htmx drops script elements from swapped fragments.
        "initial_json": json.dumps(content, ensure_ascii=False),
        "preview_html": preview_html(mode, content),
        # Generated now, so a double submit of this composer yields one reply.
        "idempotent_id": uuid.uuid4(),
        "seen_activity_version": _seen_version(seen, complaint),
        "opened_at": timezone.now().isoformat(),
        "saved_at": _local_time(draft.saved_at) if draft is not None else "",
        "reply_templates": templates_for_merchant(complaint.merchant),
        "urls": composer_urls(complaint),
        "sent_reply": sent_reply,
    }


@require_GET
@work_required
def composer(request: HttpRequest, pk: int) -> HttpResponse:
    """The composer fragment (loaded by the complaint page's panel)."""
    complaint = complaint_for_composer(request.user, pk)
    context = composer_context(request, complaint, seen=request.GET.get("seen"))
    return render(request, "messaging/composer/_composer.html", context)


@require_GET
@work_required
def composer_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The composer on a page of its own."""
    complaint = complaint_for_composer(request.user, pk)
    context = composer_context(request, complaint, seen=request.GET.get("seen"))
    return render(request, "messaging/composer/page.html", context)


@require_POST
@work_required
def draft_save(request: HttpRequest, pk: int) -> JsonResponse:
    """Autosave: store the draft, answer with its preview and the field errors."""
    complaint = complaint_for_composer(request.user, pk)
    try:
        content = parse_content(request.POST.get("content"))
        draft = drafts.draft_save(complaint=complaint, author=request.user, content=content)
    except drafts.DraftTooLargeError:
        return JsonResponse({"error": _("The draft is too large to save.")}, status=413)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    payload = preview_payload(draft.kind, content)
    payload.update(
        saved_at=_local_time(draft.saved_at),
        status=_("Draft saved at %(time)s") % {"time": _local_time(draft.saved_at)},
        revision=draft.revision,
    )
    return JsonResponse(payload)


@require_POST
@work_required
def draft_discard(request: HttpRequest, pk: int) -> JsonResponse:
    complaint = complaint_for_composer(request.user, pk)
    drafts.draft_clear(complaint=complaint, author=request.user)
    mode = drafts.draft_kind_for(complaint)
    return JsonResponse({"content": empty_content(mode), "status": _("Draft discarded.")})


@require_POST
@work_required
def composer_preview(request: HttpRequest, pk: int) -> JsonResponse:
    """The preview and field errors without saving (fast feedback while typing)."""
    complaint = complaint_for_composer(request.user, pk)
    try:
        content = parse_content(request.POST.get("content"))
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(preview_payload(drafts.draft_kind_for(complaint), content))


@require_GET
@work_required
def template_insert(request: HttpRequest, pk: int, template_pk: int) -> JsonResponse:
    """A template's blocks with this complaint's values, to insert at the cursor; `text` is its
    TEXT blocks as one plain reply (for complaints answered through /response)."""
    complaint = complaint_for_composer(request.user, pk)
    template = get_object_or_404(ReplyTemplate, pk=template_pk, merchant=complaint.merchant)
    blocks = template_blocks_for(template=template, complaint=complaint)
    return JsonResponse({"blocks": blocks, "text": template_plain_text(blocks)})


def _summary(mode: str, payload: dict[str, Any]) -> list[tuple[str, str]]:
    if mode == Draft.Kind.MESSAGE:
        counts: dict[str, int] = {}
        for block in payload["blocks"]:
            counts[block["type"]] = counts.get(block["type"], 0) + 1
        kinds = ", ".join(f"{kind_label(k)} × {n}" for k, n in counts.items())
        sender = {"MANUAL": _("Support agent"), "MACHINE": _("Automated assistant")}
        return [
            (_("Blocks"), f"{len(payload['blocks'])} ({kinds})"),
            (_("Sender"), sender.get(payload.get("sender_identity", ""), _("Not stated"))),
        ]
    rows = [
        (_("Characters"), str(len(payload["response_content"]))),
        (_("Images"), str(len(payload.get("response_images", [])))),
    ]
    if payload.get("jump_url"):
        rows.append((_("Link"), f"{payload['jump_url_text']} → {payload['jump_url']}"))
    if payload.get("mini_program_jump_info"):
        rows.append((_("Mini program"), payload["mini_program_jump_info"]["appid"]))
    return rows


def _new_activity(complaint: Complaint, opened_at: str | None) -> dict[str, Any]:
    since = parse_datetime(opened_at or "") or timezone.now()
    if timezone.is_naive(since):
        since = timezone.make_aware(since, UTC)
    return {
        "new_history": HistoryEntry.objects.filter(complaint=complaint, created_at__gte=since)[:10],
        "new_replies": Reply.objects.filter(complaint=complaint, created_at__gte=since)
        .select_related("author")
        .order_by("created_at")[:10],
    }


def _dialog(request: HttpRequest, complaint: Complaint, **context: Any) -> HttpResponse:
    context.setdefault("urls", composer_urls(complaint))
    return render(request, "messaging/composer/_confirm.html", {"complaint": complaint, **context})


def _checked_send(request: HttpRequest, complaint: Complaint) -> tuple[str, Any, dict] | None:
    """(mode, validation result, content) or None when the content is not even JSON."""
    try:
        content = parse_content(request.POST.get("content"))
    except ValueError:
        return None
    mode = drafts.draft_kind_for(complaint)
    return mode, validate_content(mode, content), content


def _confirm_context(complaint: Complaint, mode: str, result: ValidationResult) -> dict[str, Any]:
    payload = to_wechat_payload(result.message)
    endpoint = Reply.Endpoint.IMMEDIATE if mode == Draft.Kind.MESSAGE else Reply.Endpoint.RESPONSE
    return {
        "summary": _summary(mode, payload),
        "warnings": result.warnings,
        "preview_html": preview_html(mode, payload, result),
        "content_json": json.dumps(payload, ensure_ascii=False),
        "endpoint_label": Reply.Endpoint(endpoint).label,
    }


@require_POST
@work_required
def composer_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Summarise what goes out, or list what must be fixed first."""
    complaint = complaint_for_composer(request.user, pk)
    checked = _checked_send(request, complaint)
    if checked is None:
        return _dialog(request, complaint, errors=[_("The reply content is missing.")])
    mode, result, content = checked
    if not result.ok:
        return _dialog(request, complaint, errors=error_lines(result, content))
    seen = _seen_version(request.POST.get("seen_activity_version"), complaint)
    stale = complaint.activity_version > seen
    context = _confirm_context(complaint, mode, result)
    if stale:
        context.update(_new_activity(complaint, request.POST.get("opened_at")))
    return _dialog(
        request,
        complaint,
        stale=stale,
        # Shown in this dialog, so sending from it means the agent has seen it.
        seen_activity_version=complaint.activity_version,
        idempotent_id=request.POST.get("idempotent_id", ""),
        opened_at=request.POST.get("opened_at", ""),
        **context,
    )


@require_POST
@work_required
def composer_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the reply; refused (and the new activity shown) if the complaint moved meanwhile."""
    complaint = complaint_for_composer(request.user, pk)
    checked = _checked_send(request, complaint)
    if checked is None:
        return _dialog(request, complaint, errors=[_("The reply content is missing.")])
    mode, result, content = checked
    if not result.ok:
        return _dialog(request, complaint, errors=error_lines(result, content))
    try:
        idempotent_id = uuid.UUID(request.POST.get("idempotent_id", ""))
        seen = int(request.POST.get("seen_activity_version", ""))
    except ValueError:
        failure = _("This form is out of date: reload the page and send again.")
        return _dialog(request, complaint, errors=[failure])
    try:
        reply = composer_send_service(
            complaint=complaint,
            author=request.user,
            payload=to_wechat_payload(result.message),
            idempotent_id=idempotent_id,
            seen_activity_version=seen,
        )
    except StaleReplyError:
        complaint.refresh_from_db()
        context = _confirm_context(complaint, mode, result)
        context.update(_new_activity(complaint, request.POST.get("opened_at")))
        return _dialog(
            request,
            complaint,
            stale=True,
            seen_activity_version=complaint.activity_version,
            idempotent_id=idempotent_id,
            opened_at=request.POST.get("opened_at", ""),
            **context,
        )
    except ValueError:  # the idempotency id belongs to another reply: never resend blindly
        failure = _("This form was already used for another reply: reload the page.")
        return _dialog(request, complaint, errors=[failure])
    complaint.refresh_from_db()
    response = render(
        request,
        "messaging/composer/_composer.html",
        composer_context(request, complaint, sent_reply=reply),
    )
    # The fresh composer replaces the whole old one (and its dialog).
    reswap(retarget(response, f"#composer-{complaint.pk}"), "outerHTML")
    # The timeline shows the new reply (and its live status) now, not at its next poll.
    return trigger_client_event(response, "complaint-replied")
