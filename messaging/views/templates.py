"""Reply template management (supervisors: manage_templates), per merchant."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.http import client_ip
from console.roles import perm
from merchants.models import Merchant
from merchants.selectors import merchants_visible_to
from messaging.forms.templates import ReplyTemplateForm
from messaging.models import ReplyTemplate
from messaging.schema.places import for_agents
from messaging.selectors.composer import merchant_for_user, templates_visible_to
from messaging.services import templates as template_services
from messaging.views.composer import parse_content, preview_html

manage_required = permission_required(perm("manage_templates"), raise_exception=True)


@manage_required
def template_list(request: HttpRequest) -> HttpResponse:
    merchants = list(merchants_visible_to(request.user).order_by("name", "mchid"))
    by_merchant: dict[int, list[ReplyTemplate]] = {m.pk: [] for m in merchants}
    for template in templates_visible_to(request.user).order_by("name", "id"):
        by_merchant.setdefault(template.merchant_id, []).append(template)
    groups = [(merchant, by_merchant[merchant.pk]) for merchant in merchants]
    return render(request, "messaging/templates/list.html", {"groups": groups})


def _editor_context(merchant: Merchant, form: ReplyTemplateForm) -> dict[str, Any]:
    raw = form["blocks"].value() or "[]"
    try:
        initial = json.loads(raw)
    except ValueError:
        initial = []
    blocks = initial.get("blocks", []) if isinstance(initial, dict) else initial
    return {
        "merchant": merchant,
        "form": form,
        "initial_json": json.dumps({"blocks": blocks if isinstance(blocks, list) else []}),
        "initial_errors_json": json.dumps(
            for_agents(form.block_errors, {"blocks": blocks if isinstance(blocks, list) else []})
        ),
        "variables": [
            (name, label) for name, (label, _v, _s) in template_services.VARIABLES.items()
        ],
        "template_mode": True,
        "urls": {
            "preview": reverse("messaging:template_preview"),
            "image_upload": reverse("messaging:image_upload", args=[merchant.pk]),
            "image_library": reverse("messaging:image_library", args=[merchant.pk]),
            "image_media": reverse("messaging:image_media"),
            "image_retry": reverse("messaging:image_retry", args=[0]),
        },
    }


def _save(request: HttpRequest, form: ReplyTemplateForm, template: ReplyTemplate | None):
    template_services.template_save(
        merchant=form.merchant,
        name=form.cleaned_data["name"],
        description=form.cleaned_data["description"],
        blocks=form.cleaned_data["blocks"],
        user=request.user,
        template=template,
        ip=client_ip(request),
    )
    messages.success(request, _("Template “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
    return redirect("messaging:templates")


@manage_required
def template_create(request: HttpRequest, merchant_pk: int) -> HttpResponse:
    merchant = merchant_for_user(request.user, merchant_pk)
    form = ReplyTemplateForm(request.POST or None, merchant=merchant)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, None)
    context = _editor_context(merchant, form)
    return render(request, "messaging/templates/form.html", context)


@manage_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(templates_visible_to(request.user), pk=pk)
    form = ReplyTemplateForm(request.POST or None, merchant=template.merchant, instance=template)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, template)
    context = _editor_context(template.merchant, form)
    context["template"] = template
    return render(request, "messaging/templates/form.html", context)


@manage_required
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(templates_visible_to(request.user), pk=pk)
    if request.method == "POST":
        try:
            template_services.template_delete(
                template=template, user=request.user, ip=client_ip(request)
            )
        except template_services.TemplateInUseError as exc:
            messages.error(
                request,
                _(
                    "“%(name)s” is still sent by these auto-acknowledgement rules: %(rules)s. "
                    "Choose another template for them first."
                )
                % {"name": template.name, "rules": "、".join(exc.users)},
            )
            return redirect("messaging:template_delete", pk=template.pk)
        messages.success(request, _("Template “%(name)s” deleted.") % {"name": template.name})
        return redirect("messaging:templates")
    return render(request, "messaging/templates/confirm_delete.html", {"template": template})


@require_POST
@manage_required
def template_preview(request: HttpRequest) -> JsonResponse:
    """Preview with sample values in the placeholders; errors as a send would report them."""
    try:
        content = parse_content(request.POST.get("content"))
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    blocks = content.get("blocks")
    result = template_services.template_validate(blocks)
    filled = template_services.fill_placeholders(content, template_services.sample_variables())
    return JsonResponse(
        {
            "preview": preview_html("message", filled, result),
            "errors": for_agents(result.errors, content),
            "warnings": for_agents(result.warnings, content),
        }
    )
