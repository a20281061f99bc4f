"""Reading replies: every query is scoped to the merchants the user works for."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from merchants.models import Merchant
from merchants.selectors import merchant_ids_visible_to, merchants_visible_to
from messaging.models import Reply, ReplyAttempt


@dataclass
class HistoryFilters:
    agent_id: int | None = None
    merchant_id: int | None = None
    status: str = ""
    endpoint: str = ""
    date_from: date | None = None
    date_to: date | None = None
    errors_only: bool = False
    error_code: str = ""
    origin: str = ""  # "" | "human" | "automatic"
    q: str = ""


def replies_visible_to(user) -> QuerySet[Reply]:
    if not user.is_authenticated:
        return Reply.objects.none()
    return Reply.objects.filter(merchant_id__in=merchant_ids_visible_to(user))


def reply_for_user(user, pk: int) -> Reply:
    """One reply of a merchant the user works for; anything else answers 404."""
    return get_object_or_404(
        replies_visible_to(user).select_related("complaint", "merchant", "author"), pk=pk
    )


def _search(q: str) -> Q:
    q = q.strip()
    condition = Q(complaint__complaint_id=q) | Q(log_id=q)
    with contextlib.suppress(ValueError):  # not a UUID: search the other ids only
        condition |= Q(idempotent_id=uuid.UUID(q))
    return condition


def reply_history(user, filters: HistoryFilters) -> QuerySet[Reply]:
    qs = replies_visible_to(user)
    if filters.agent_id:
        qs = qs.filter(author_id=filters.agent_id)
    if filters.merchant_id:
        qs = qs.filter(merchant_id=filters.merchant_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.endpoint:
        qs = qs.filter(endpoint=filters.endpoint)
    if filters.date_from:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    if filters.origin:
        qs = qs.filter(is_automatic=filters.origin == "automatic")
    failed_attempts = ReplyAttempt.objects.filter(reply=OuterRef("pk")).exclude(
        outcome=ReplyAttempt.Outcome.DELIVERED
    )
    if filters.errors_only:
        qs = qs.filter(Q(status=Reply.Status.FAILED) | Exists(failed_attempts))
    if filters.error_code:
        code = filters.error_code.strip()
        qs = qs.filter(
            Q(error_code__iexact=code) | Exists(failed_attempts.filter(wechat_code__iexact=code))
        )
    if filters.q.strip():
        qs = qs.filter(_search(filters.q))
    return qs.select_related("complaint", "merchant", "author").prefetch_related(
        Prefetch("attempts", queryset=ReplyAttempt.objects.order_by("number"))
    )


def history_choices(user) -> tuple[QuerySet[Merchant], QuerySet]:
    """Merchants and reply authors the user may filter by."""
    merchants = merchants_visible_to(user).order_by("name")
    authors = (
        get_user_model()
        .objects.filter(replies__merchant_id__in=merchant_ids_visible_to(user))
        .distinct()
        .order_by("username")
    )
    return merchants, authors
