"""Reading replies: every query is scoped to the merchants the user works for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from merchants.models import Merchant
from merchants.selectors import merchant_ids_visible_to, merchants_visible_to
from messaging.filters import HistoryFilter
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


def reply_history(user, filters: HistoryFilters) -> QuerySet[Reply]:
    """The user's replies narrowed by the history's filter chain (messaging/filters.py)."""
    chain = HistoryFilter(queryset=replies_visible_to(user))
    values = {
        "agent": filters.agent_id,
        "merchant": filters.merchant_id,
        "status": filters.status,
        "endpoint": filters.endpoint,
        "origin": filters.origin,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "errors_only": filters.errors_only,
        "error_code": filters.error_code,
        "q": filters.q,
    }
    return (
        chain.filter_values(chain.queryset, values)
        .select_related("complaint", "merchant", "author")
        .prefetch_related(Prefetch("attempts", queryset=ReplyAttempt.objects.order_by("number")))
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
