"""Pages: rules (supervisors), the alerts endpoint polled by every agent page, and the
supervisor alerts page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from automation import selectors, services
from automation.forms import RuleForm
from automation.models import Alert, SupervisorEvent
from complaints.models import Complaint
from console.http import client_ip
from console.roles import perm

rules_required = permission_required(perm("manage_templates"), raise_exception=True)
work_required = permission_required(perm("work_complaints"), raise_exception=True)
review_required = permission_required(perm("review_replies"), raise_exception=True)
DRY_RUN_SHOWN = 500
FAILURES_SHOWN = 100


@require_GET
@rules_required
def rule_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "automation/rules.html", {"groups": selectors.rules_by_merchant(request.user)}
    )


def _rule_form_page(request: HttpRequest, form: RuleForm, rule=None) -> HttpResponse:
    return render(
        request,
        "automation/rule_form.html",
        {"form": form, "rule": rule, "merchant": form.merchant},
    )


@require_http_methods(["GET", "POST"])
@rules_required
def rule_create(request: HttpRequest, merchant_pk: int) -> HttpResponse:
    merchant = selectors.merchant_for(request.user, merchant_pk)
    form = RuleForm(request.POST or None, merchant=merchant)
    if request.method == "POST" and form.is_valid():
        rule = services.rule_save(
            merchant=merchant, values=form.values(), user=request.user, ip=client_ip(request)
        )
        messages.success(
            request,
            _("Rule “%(name)s” saved. Try it on past complaints, then switch it on.")
            % {"name": rule.name},
        )
        return redirect("automation:rule_dry_run", pk=rule.pk)
    return _rule_form_page(request, form)


@require_http_methods(["GET", "POST"])
@rules_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.rule_for(request.user, pk)
    form = RuleForm(request.POST or None, instance=rule, merchant=rule.merchant)
    if request.method == "POST" and form.is_valid():
        services.rule_save(
            merchant=rule.merchant, values=form.values(), user=request.user, rule=rule,
            ip=client_ip(request),
        )  # fmt: skip
        messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
        return redirect("automation:rules")
    return _rule_form_page(request, form, rule)


@require_POST
@rules_required
def rule_switch(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.rule_for(request.user, pk)
    enabled = request.POST.get("enabled") == "1"
    services.rule_set_enabled(rule=rule, enabled=enabled, user=request.user, ip=client_ip(request))
    if enabled:
        text = _("Rule “%(name)s” is on: complaints arriving from now on are answered.")
    else:
        text = _("Rule “%(name)s” is off.")
    messages.success(request, text % {"name": rule.name})
    return redirect("automation:rules")


@require_GET
@rules_required
def rule_dry_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Which past complaints the rule would have answered, and with what (nothing is sent)."""
    rule = selectors.rule_for(request.user, pk)
    result = services.rule_dry_run(rule=rule)
    preview, preview_error = None, ""
    if result.matched:
        # What the newest match would have received, filled with its own values.
        first = Complaint.objects.select_related("merchant").get(pk=result.matched[0].pk)
        try:
            preview = services.rule_reply_for(rule, first)
        except ValueError as exc:
            preview_error = str(exc)
    context = {
        "rule": rule,
        "result": result,
        "rows": result.matched[:DRY_RUN_SHOWN],
        "preview": preview,
        "preview_error": preview_error,
    }
    return render(request, "automation/dry_run.html", context)


@require_http_methods(["GET", "POST"])
@rules_required
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.rule_for(request.user, pk)
    if request.method == "POST":
        services.rule_delete(rule=rule, user=request.user, ip=client_ip(request))
        messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
        return redirect("automation:rules")
    return render(request, "automation/rule_delete.html", {"rule": rule})


# --- agents' alerts -------------------------------------------------------------------------


def _alerts_fragment(
    request: HttpRequest, template: str = "automation/_alerts_list.html"
) -> HttpResponse:
    unread = selectors.unread_alerts(request.user)
    shown = list(unread[: selectors.ALERTS_SHOWN])
    count = len(shown) if len(shown) < selectors.ALERTS_SHOWN else unread.count()
    return render(request, template, {"alerts": shown, "alert_count": count})


@require_GET
@work_required
def alerts(request: HttpRequest) -> HttpResponse:
    """The unread alerts, polled every few seconds by every page of an agent (the fragment);
    opened directly, a page of its own."""
    if request.htmx:
        return _alerts_fragment(request)
    return _alerts_fragment(request, "automation/alerts_page.html")


@require_POST
@work_required
def alert_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the alert's complaint; its alerts count as read."""
    alert = get_object_or_404(Alert, pk=pk, user=request.user)
    services.alerts_read_for_complaint(user=request.user, complaint_id=alert.complaint_id)
    return redirect("complaints:detail", pk=alert.complaint_id)


@require_POST
@work_required
def alerts_read(request: HttpRequest) -> HttpResponse:
    """Dismiss the alerts named by `alert` (the panel's per-alert button), or all of them."""
    named = request.POST.getlist("alert")
    # A malformed id dismisses nothing rather than falling through to "all".
    ids = [int(value) for value in named if value.isdigit()] if named else None
    services.alert_mark_read(user=request.user, alert_ids=ids)
    if request.htmx:
        return _alerts_fragment(request)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("complaints:queue")
    return HttpResponseRedirect(target)  # a URL, never a view name to reverse


# --- supervisors --------------------------------------------------------------------------


@require_GET
@review_required
def supervisor(request: HttpRequest) -> HttpResponse:
    """Complaints at risk now, for the deadline that applies now, and replies that failed for
    good; each says whether and to whom the digest mailed it."""
    failures = selectors.supervisor_events(request.user, kind=SupervisorEvent.Kind.REPLY_FAILED)
    return render(
        request,
        "automation/supervisor.html",
        {
            "rows": selectors.at_risk_rows(request.user),
            "failures": list(failures[:FAILURES_SHOWN]),
            "digest_minutes": f"{settings.AUTOMATION_DIGEST_EVERY_MINUTES:g}",
        },
    )
