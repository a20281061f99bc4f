"""Reads owned by the console project: the audit log, scoped by who is looking."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from console.filters import AuditFilter
from console.models import AuditEvent
from console.roles import perm

# Sign-in events: target_id holds the username tried (or unlocked).
SIGN_IN_PREFIX = "login."


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """The audit events a user may read, and nothing else (README "Security").

    Admins read everything. Supervisors read the events of the merchants they are assigned to,
    and the sign-in events (failed logins, lockouts, unlocks) of their team: the users who share
    a merchant with them. Anyone else (agents) reads nothing.
    """
    if not user.is_authenticated or not user.has_perm(perm("view_audit")):
        return AuditEvent.objects.none()
    if user.has_perm(perm("manage_merchants")):
        return AuditEvent.objects.all()
    # Through the user's own relations: the merchants app sits above console, never imported.
    mchids = user.merchant_assignments.values("merchant__mchid")
    team = (
        get_user_model()
        .objects.filter(merchant_assignments__merchant__assignments__user=user)
        .values("username")
    )
    return AuditEvent.objects.filter(
        Q(mchid__in=mchids) | Q(mchid="", action__startswith=SIGN_IN_PREFIX, target_id__in=team)
    )


def audit_events(*, user, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The user's visible events narrowed by the audit log's filter chain (console/filters.py,
    typed values by query-string name): filters only ever narrow."""
    events = audit_events_visible_to(user).select_related("actor")
    return AuditFilter(queryset=events).filter_values(events, filters)


def paginate(queryset: QuerySet, page_number: str | None, per_page: int = 50) -> Page:
    return Paginator(queryset, per_page).get_page(page_number)
