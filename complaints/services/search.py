"""Keeping the search index current: each complaint's ComplaintSearch row is rebuilt from all
its sources whenever one of them is written (ingest, notes, replies), and for existing
complaints by `manage.py search_index`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction

from complaints.models import Complaint, ComplaintSearch
from complaints.search.sources import sources_for
from complaints.search.text import document, ids_document, tsvector_text

ID_FIELDS = ("complaint_id", "transaction_id", "out_trade_no", "payer_phone_last4")

INDEX_FIELDS = ("pk", "complaint_detail", "problem_description", *ID_FIELDS)


def complaint_search_refresh(*, complaint_pks: Iterable[int]) -> None:
    """Rebuild the search document of these complaints from everything searchable on them.

    The complaints are locked first (FOR NO KEY UPDATE: it waits for another refresh of the
    same complaint but not for inserts that reference it), so the last refresh to commit has
    read every source committed before it: two notes written at once both end up searchable."""
    pks = sorted(set(complaint_pks))
    if not pks:
        return
    with transaction.atomic():
        locked = list(
            Complaint.objects.select_for_update(no_key=True)
            .filter(pk__in=pks)
            .order_by("pk")
            .only(*INDEX_FIELDS)
        )
        texts = sources_for(locked)
        postgres = connection.vendor == "postgresql"
        rows = []
        for complaint in locked:
            text = document([source.text for source in texts[complaint.pk]])
            tokens = tsvector_text(text) if postgres else None
            ids = ids_document([getattr(complaint, name) for name in ID_FIELDS])
            rows.append(
                ComplaintSearch(complaint_id=complaint.pk, text=text, tokens=tokens, ids=ids)
            )
        ComplaintSearch.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["complaint"],
            update_fields=["text", "tokens", "ids", "updated_at"],
        )


def search_index_all(
    *, only_missing: bool = False, batch_size: int = 500, progress: Callable[[int], None]
) -> int:
    """Index every complaint (or only those never indexed), `batch_size` per transaction;
    `progress(n)` after each batch. Returns how many were indexed."""
    rows = Complaint.objects.all()
    if only_missing:
        rows = rows.filter(search__isnull=True)
    last, done = 0, 0
    while True:
        batch = list(
            rows.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return done
        complaint_search_refresh(complaint_pks=batch)
        last, done = batch[-1], done + len(batch)
        progress(len(batch))
