"""Reply history for supervisors (list, CSV) and the live reply status for agents."""

from __future__ import annotations

import tempfile

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from console.people import PersonChoiceField
from console.roles import perm
from messaging import exports
from messaging.models import Reply
from messaging.selectors.history import (
    HistoryFilters,
    history_choices,
    reply_for_user,
    reply_history,
)
from messaging.selectors.timeline import status_context
from messaging.services.replies import reply_resend

review_required = permission_required(perm("review_replies"), raise_exception=True)
work_required = permission_required(perm("work_complaints"), raise_exception=True)
PAGE_SIZE = 25
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class HistoryFilterForm(forms.Form):
    agent = PersonChoiceField(
        queryset=None, required=False, label=_("Agent"), empty_label=_("All agents")
    )
    merchant = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Merchant"), empty_label=_("All merchants")
    )
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *Reply.Status.choices], required=False, label=_("Status")
    )
    endpoint = forms.ChoiceField(
        choices=[("", _("Any kind")), *Reply.Endpoint.choices], required=False, label=_("Kind")
    )
    origin = forms.ChoiceField(
        choices=[("", _("Agents and automation")), ("human", _("Agents only")),
                 ("automatic", _("Automatic only"))],
        required=False,
        label=_("Written by"),
    )  # fmt: skip
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    errors_only = forms.BooleanField(required=False, label=_("With errors only"))
    error_code = forms.CharField(required=False, max_length=64, label=_("Error code"))
    q = forms.CharField(
        required=False,
        max_length=128,
        label=_("Search"),
        widget=forms.TextInput(attrs={"placeholder": _("Complaint ID, log ID or idempotency ID")}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        merchants, authors = history_choices(user)
        self.fields["merchant"].queryset = merchants
        self.fields["agent"].queryset = authors

    def filters(self) -> HistoryFilters:
        if not self.is_valid():
            return HistoryFilters()
        data = self.cleaned_data
        return HistoryFilters(
            agent_id=data["agent"].pk if data["agent"] else None,
            merchant_id=data["merchant"].pk if data["merchant"] else None,
            status=data["status"],
            endpoint=data["endpoint"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            errors_only=data["errors_only"],
            error_code=data["error_code"],
            origin=data["origin"],
            q=data["q"],
        )


@require_GET
@review_required
def history(request: HttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET or None, user=request.user)
    replies = reply_history(request.user, form.filters())
    page = Paginator(replies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/history/list.html",
        {"form": form, "page": page, "replies": page.object_list, "query": request.GET.urlencode()},
    )


def _export_name(extension: str) -> str:
    return f"reply-history-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{extension}"


@require_GET
@review_required
def history_csv(request: HttpRequest) -> StreamingHttpResponse:
    """UTF-8 with BOM, headers in the UI language, ids kept as text (see messaging.exports)."""
    form = HistoryFilterForm(request.GET or None, user=request.user)
    replies = reply_history(request.user, form.filters())
    response = StreamingHttpResponse(
        exports.csv_lines(replies), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    return response


@require_GET
@review_required
def history_xlsx(request: HttpRequest) -> FileResponse:
    """The same rows as an Excel workbook, built write-only into a temporary file and streamed."""
    form = HistoryFilterForm(request.GET or None, user=request.user)
    replies = reply_history(request.user, form.filters())
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    exports.write_xlsx(replies, out)
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=_export_name("xlsx"), content_type=XLSX_TYPE
    )


# --- the live status of one reply (complaint page; polled with htmx) ---------------------------


@require_GET
@work_required
def reply_status(request: HttpRequest, pk: int) -> HttpResponse:
    reply = reply_for_user(request.user, pk)
    context = status_context(reply)
    response = render(request, "messaging/_reply_status.html", context)
    if not context["polling"]:
        # Settled (delivered or failed): the complaint page refreshes its timeline and facts.
        trigger_client_event(response, "complaint-replied")
    return response


@require_POST
@work_required
def reply_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a failed reply again as a new reply (new idempotent_id); answer with its status."""
    reply = reply_for_user(request.user, pk)
    if reply.status != Reply.Status.FAILED:
        return render(request, "messaging/_reply_status.html", status_context(reply), status=409)
    again = reply_resend(reply=reply, author=request.user)
    return render(request, "messaging/_reply_status.html", status_context(again))
