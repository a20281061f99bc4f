"""Reply history for supervisors (list, CSV) and the live reply status for agents."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from console.roles import perm
from messaging.models import Reply
from messaging.selectors.history import (
    HistoryFilters,
    history_choices,
    reply_for_user,
    reply_history,
)
from messaging.services.replies import reply_failure_explanation, reply_resend

review_required = permission_required(perm("review_replies"), raise_exception=True)
work_required = permission_required(perm("work_complaints"), raise_exception=True)
PAGE_SIZE = 25


class HistoryFilterForm(forms.Form):
    agent = forms.ModelChoiceField(
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


CSV_COLUMNS = [
    "created_at", "complaint_id", "mchid", "author", "automatic", "endpoint", "status",
    "idempotent_id", "log_id", "attempts", "last_http_status", "last_request_id",
    "error_code", "error_message", "delivered_at", "failed_at",
]  # fmt: skip


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (consumer-facing text)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _when(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _csv_rows(replies) -> Iterator[list[str]]:
    yield CSV_COLUMNS
    for reply in replies.iterator(chunk_size=500):
        attempts = list(reply.attempts.all())
        last = attempts[-1] if attempts else None
        yield [
            _cell(v)
            for v in (
                _when(reply.created_at), reply.complaint.complaint_id, reply.merchant.mchid,
                reply.author.username if reply.author else "", int(reply.is_automatic),
                reply.endpoint, reply.status, reply.idempotent_id, reply.log_id,
                reply.attempt_count, last.http_status if last else "",
                last.request_id if last else "", reply.error_code, reply.error_message,
                _when(reply.delivered_at), _when(reply.failed_at),
            )
        ]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@review_required
def history_csv(request: HttpRequest) -> StreamingHttpResponse:
    form = HistoryFilterForm(request.GET or None, user=request.user)
    replies = reply_history(request.user, form.filters())
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(replies)), content_type="text/csv"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="reply-history-{stamp}.csv"'
    return response


# --- the live status of one reply (complaint page; polled with htmx) ---------------------------


def status_context(reply: Reply) -> dict:
    polling = reply.status in Reply.OPEN_STATUSES
    context = {"reply": reply, "status_loaded": True, "polling": polling}
    if reply.status == Reply.Status.FAILED:
        context["reason"], context["fix"] = reply_failure_explanation(reply)
    return context


@require_GET
@work_required
def reply_status(request: HttpRequest, pk: int) -> HttpResponse:
    reply = reply_for_user(request.user, pk)
    context = status_context(reply)
    response = render(request, "messaging/_reply_status.html", context)
    if not context["polling"]:
        # Settled (delivered or failed): the complaint page refreshes its timeline and facts.
        response["HX-Trigger"] = "complaint-replied"
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
