"""Reading complaints. Everything complaint-scoped starts from `complaints_visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from psycopg.errors import QueryCanceled

from complaints.filters import QueueFilter
from complaints.models import (
    QUEUE_ORDER,
    Complaint,
    ComplaintImage,
    HistoryEntry,
    TimelineEvent,
)
from complaints.ports import reply_side
from merchants.selectors import merchant_ids_visible_to

PAGE_SIZE = 50
# What a queue row shows, its cursor, and where a search matched: nothing else is loaded (every
# column is a Python object to build, fifty times per page).
ROW_FIELDS = (
    "complaint_id", "problem_description", "complaint_detail", "amount", "payer_phone_masked",
    "payer_phone_last4", "complaint_state", "need_immediate_service", "incoming_user_response",
    "in_platform_service", "problem_type", "sla_status", "due_at", "first_reply_due_at",
    "complete_due_at", "first_replied_at", "completed_at", "transaction_id", "out_trade_no",
    "merchant__name", "assignee__username", "assignee__first_name", "assignee__last_name",
)  # fmt: skip


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """The complaints of the merchants this user works for. Another merchant's complaint is
    simply not there (views answer 404)."""
    if not user.is_authenticated:
        return Complaint.objects.none()
    return Complaint.objects.filter(merchant_id__in=merchant_ids_visible_to(user))


def complaint_for_detail(user, pk: int) -> Complaint:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        complaints_visible_to(user).select_related("merchant", "assignee"), pk=pk
    )


@dataclass
class QueueFilters:
    view: str = "open"
    merchant_id: int | None = None
    state: str = ""
    problem_type: str = ""
    refund_requested: bool = False
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""


def filtered(user, filters: QueueFilters) -> QuerySet[Complaint]:
    """The user's complaints narrowed by the queue's filter chain (complaints/filters.py)."""
    chain = QueueFilter(queryset=complaints_visible_to(user), user=user)
    values = {
        "view": filters.view,
        "merchant": filters.merchant_id,
        "state": filters.state,
        "problem_type": filters.problem_type,
        "refund": filters.refund_requested,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "q": filters.q,
    }
    return chain.filter_values(chain.queryset, values)


# --- keyset pagination ---------------------------------------------------------------------


def encode_cursor(complaint: Complaint) -> str:
    micros = int(complaint.due_at.timestamp() * 1_000_000)
    return f"{int(complaint.need_immediate_service)}_{micros}_{complaint.pk}"


def decode_cursor(cursor: str) -> tuple[bool, datetime, int] | None:
    try:
        urgent, micros, pk = (int(part) for part in cursor.split("_"))
    except (ValueError, AttributeError):
        return None
    due = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
    return bool(urgent), due, pk


def _after(due: datetime, pk: int) -> Q:
    # `due >= x` bounds the index scan; the OR only trims the rows sharing that deadline.
    return Q(due_at__gte=due) & (Q(due_at__gt=due) | Q(pk__gt=pk))


def _before(due: datetime, pk: int) -> Q:
    return Q(due_at__lte=due) & (Q(due_at__lt=due) | Q(pk__lt=pk))


@dataclass
class QueuePage:
    rows: list[Complaint]
    next_cursor: str | None
    filters: QueueFilters
    presence: dict[int, list[dict]] = field(default_factory=dict)


class SearchTooSlow(Exception):
    """A search's queries did not finish within COMPLAINTS_SEARCH_TIMEOUT_MS."""


def queue_page(
    user, filters: QueueFilters, cursor: str = "", page_size: int = PAGE_SIZE
) -> QueuePage:
    """One page of a queue view, in deadline order with immediate-service complaints first.
    At most two queries whatever the data size (the second only when a page crosses from the
    urgent group to the rest). A search's queries are cut off after COMPLAINTS_SEARCH_TIMEOUT_MS
    (PostgreSQL): SearchTooSlow, never a request held for seconds."""
    if not filters.q.strip() or connection.vendor != "postgresql":
        return _queue_page(user, filters, cursor, page_size)
    limit = settings.COMPLAINTS_SEARCH_TIMEOUT_MS
    try:
        with transaction.atomic():
            with connection.cursor() as db:
                db.execute("SELECT set_config('statement_timeout', %s, true)", [f"{limit}ms"])
            return _queue_page(user, filters, cursor, page_size)
    except OperationalError as exc:
        if isinstance(exc.__cause__, QueryCanceled):
            raise SearchTooSlow from exc
        raise


def _queue_page(user, filters: QueueFilters, cursor: str, page_size: int) -> QueuePage:
    base = filtered(user, filters).select_related("merchant", "assignee").only(*ROW_FIELDS)
    position = decode_cursor(cursor) if cursor else None
    if filters.view == "done":
        rows = _done_rows(base, position, page_size + 1)
    else:
        rows = _open_rows(base, position, page_size + 1)
    next_cursor = encode_cursor(rows[page_size - 1]) if len(rows) > page_size else None
    return QueuePage(rows=rows[:page_size], next_cursor=next_cursor, filters=filters)


def _done_rows(base: QuerySet, position, limit: int) -> list[Complaint]:
    qs = base.order_by("-due_at", "-id")
    if position:
        qs = qs.filter(_before(position[1], position[2]))
    return list(qs[:limit])


def _open_rows(base: QuerySet, position, limit: int) -> list[Complaint]:
    ordered = base.order_by("due_at", "id")
    if position is None:
        return list(base.order_by(*QUEUE_ORDER)[:limit])
    urgent, due, pk = position
    rows = list(ordered.filter(_after(due, pk), need_immediate_service=urgent)[:limit])
    if urgent and len(rows) < limit:
        rows += list(ordered.filter(need_immediate_service=False)[: limit - len(rows)])
    return rows


# --- detail -------------------------------------------------------------------------------


@dataclass
class TimelineItem:
    at: datetime
    source: str  # "wechat" | "event" | "reply"
    obj: Any
    status: dict[str, Any] | None = None  # a reply's live-status context


# The reply item itself shows these (with its live status), so they would only repeat it.
REPLY_EVENTS = (TimelineEvent.Kind.REPLY_QUEUED, TimelineEvent.Kind.REPLY_DELIVERED)


def complaint_timeline(complaint: Complaint) -> list[TimelineItem]:
    """WeChat's negotiation history, the console's own events (claims, notes, …) and its reply
    attempts, merged in time order, each message once: a history entry that is one of the
    console's own replies (same log_id) is shown as that reply. Three queries, whatever the
    lengths. The replies (with their live status) come from the app that sends them."""
    replies, sent = reply_side().timeline(complaint)
    items = [
        TimelineItem(entry.operate_time, "wechat", entry)
        for entry in HistoryEntry.objects.filter(complaint=complaint).order_by("operate_time", "id")
        if entry.log_id not in sent
    ]
    events = TimelineEvent.objects.filter(complaint=complaint).exclude(kind__in=REPLY_EVENTS)
    items += [
        TimelineItem(event.created_at, "event", event) for event in events.select_related("actor")
    ]
    items += replies
    items.sort(key=lambda item: item.at)
    return items


def complaint_images(complaint: Complaint) -> list[ComplaintImage]:
    return list(
        ComplaintImage.objects.filter(complaint=complaint)
        .defer("content")
        .order_by("history_log_id", "id")
    )


def image_for(user, complaint_pk: int, image_pk: int) -> ComplaintImage:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        ComplaintImage.objects.select_related("complaint__merchant").filter(
            complaint__in=complaints_visible_to(user)
        ),
        pk=image_pk,
        complaint_id=complaint_pk,
    )


def refund_decided(complaint: Complaint) -> bool:
    """WeChat Pay confirmed a refund decision (§3.7): it takes one, and refuses a second."""
    return TimelineEvent.objects.filter(
        complaint=complaint,
        kind=TimelineEvent.Kind.REPLY_DELIVERED,
        data__endpoint="update-refund-progress",
    ).exists()
