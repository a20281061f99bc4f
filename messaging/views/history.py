"""Reply history for supervisors (list, CSV) and the live reply status for agents."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from console.roles import perm
from messaging import exports
from messaging.filters import HistoryFilter
from messaging.models import Reply
from messaging.selectors.history import (
    HistoryFilters,
    history_choices,
    replies_visible_to,
    reply_for_user,
    reply_history,
)
from messaging.selectors.timeline import status_context
from messaging.services.replies import reply_resend

review_required = permission_required(perm("review_replies"), raise_exception=True)
work_required = permission_required(perm("work_complaints"), raise_exception=True)
PAGE_SIZE = 25
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _history_filter(request: HttpRequest) -> HistoryFilter:
    merchants, authors = history_choices(request.user)
    return HistoryFilter(
        request.GET or None,
        queryset=replies_visible_to(request.user),
        merchants=merchants,
        authors=authors,
    )


def _filtered(request: HttpRequest) -> tuple[HistoryFilter, QuerySet[Reply]]:
    """The filter form and the replies it selects; a filter that cannot be read is left out
    (the page names it) and the others still apply, to the list and the exports alike."""
    chain = _history_filter(request)
    data = chain.valid_data()
    filters = HistoryFilters(
        agent_id=data["agent"].pk if data.get("agent") else None,
        merchant_id=data["merchant"].pk if data.get("merchant") else None,
        status=data.get("status") or "",
        endpoint=data.get("endpoint") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        errors_only=bool(data.get("errors_only")),
        error_code=data.get("error_code") or "",
        origin=data.get("origin") or "",
        q=data.get("q") or "",
    )
    return chain, reply_history(request.user, filters)


@require_GET
@review_required
def history(request: HttpRequest) -> HttpResponse:
    chain, replies = _filtered(request)
    page = Paginator(replies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/history/list.html",
        {
            "form": chain.form,
            "page": page,
            "replies": page.object_list,
            "query": request.GET.urlencode(),
        },
    )


def _export_name(extension: str) -> str:
    return f"reply-history-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{extension}"


@require_GET
@review_required
def history_csv(request: HttpRequest) -> StreamingHttpResponse:
    """UTF-8 with BOM, headers in the UI language, ids kept as text (see messaging.exports)."""
    _, replies = _filtered(request)
    response = StreamingHttpResponse(
        exports.csv_lines(replies), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    return response


@require_GET
@review_required
def history_xlsx(request: HttpRequest) -> FileResponse:
    """The same rows as an Excel workbook, built write-only into a temporary file and streamed."""
    _, replies = _filtered(request)
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
