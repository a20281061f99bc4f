"""The queue: views of open work, filters, search, keyset pages, self-refreshing rows."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaints.filters import QUEUE_VIEWS, VIEW_LABELS, QueueFilter
from complaints.search.query import search_hits
from complaints.search.text import MAX_QUERY_CHARS
from complaints.selectors import (
    QueueFilters,
    QueuePage,
    SearchTooSlow,
    complaints_visible_to,
    queue_page,
)
from complaints.services import present_on_many
from complaints.views.rows import queue_rows
from console.roles import perm
from merchants.selectors import merchants_visible_to


@require_GET
@permission_required(perm("work_complaints"), raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    merchants = list(merchants_visible_to(request.user).only("pk", "name", "mchid"))
    chain = QueueFilter(
        request.GET or None,
        queryset=complaints_visible_to(request.user),
        user=request.user,
        merchants=merchants,
    )
    filters = _queue_filters(chain)
    cursor = request.GET.get("after", "")
    try:
        page, search_error = queue_page(request.user, filters, cursor), ""
    except SearchTooSlow:
        page = QueuePage(rows=[], next_cursor=None, filters=filters)
        search_error = _("This search took too long to answer. Add a word or a filter.")
    page.presence = present_on_many([row.pk for row in page.rows], exclude_user=request.user)
    hits = search_hits(page.rows, filters.q) if filters.q.strip() else {}
    params = {k: v for k, v in request.GET.items() if k not in ("after", "fragment") and v}
    context = {
        "form": chain.form,
        "page": page,
        # The claim form carries the search (as the filter reads it: its first characters).
        "rows": queue_rows(page.rows, page.presence, hits=hits, search=filters.q[:MAX_QUERY_CHARS]),
        "views": [(v, VIEW_LABELS[v]) for v in QUEUE_VIEWS],
        "current_view": filters.view,
        "search_error": search_error,
        "view_links": {v: "?" + urlencode({**params, "view": v}) for v in QUEUE_VIEWS},
        "rows_url": "?" + urlencode({**params, "after": cursor, "fragment": "rows"}),
        "next_url": (
            "?" + urlencode({**params, "after": page.next_cursor}) if page.next_cursor else ""
        ),
        "first_url": "?" + urlencode(params) if cursor else "",
    }
    if request.GET.get("fragment") == "rows":
        return render(request, "complaints/_queue_rows.html", context)
    return render(request, "complaints/queue.html", context)


def _queue_filters(chain: QueueFilter) -> QueueFilters:
    """The valid part of the query string; a filter that is not understood is left out (the
    page says which) and the others still apply."""
    data = chain.valid_data()
    return QueueFilters(
        view=data.get("view") or "open",
        merchant_id=int(data["merchant"]) if data.get("merchant") else None,
        state=data.get("state") or "",
        problem_type=data.get("problem_type") or "",
        refund_requested=bool(data.get("refund")),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        q=data.get("q") or "",
    )
