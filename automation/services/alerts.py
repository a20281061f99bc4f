"""Agents' alerts: a new immediate-service complaint for everyone working its merchant, a new
user message for the complaint's owner. Written in the ingesting transaction, shown by polling."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from automation.models import Alert
from complaints.models import Complaint, HistoryEntry
from console import events

# History entries that are the user writing to the merchant.
USER_MESSAGE_TYPES = ("USER_RESPONSE", "USER_CLICK_RESPONSE", "USER_CONTINUE_COMPLAINT")
# Only entries stored just now are news; older ones arrive with a first import or a backfill.
FRESH_HISTORY = timedelta(minutes=5)


def users_with_permission(codename: str) -> QuerySet:
    permission = Permission.objects.filter(content_type__app_label="console", codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
            | Q(is_superuser=True)
        )
        .distinct()
    )


def agents_of(merchant_id: int) -> QuerySet:
    """Users assigned to the merchant who may work its complaints."""
    return users_with_permission("work_complaints").filter(
        merchant_assignments__merchant_id=merchant_id
    )


def _create(users: Any, *, kind: str, complaint: Complaint, key: str, text: str) -> int:
    users = list(users)
    rows = [
        Alert(user=user, kind=kind, complaint=complaint, key=key, text=text[:300]) for user in users
    ]
    # A redelivered notification or a racing sync finds the rows and adds nothing.
    created = len(Alert.objects.bulk_create(rows, ignore_conflicts=True))
    for user in users:
        _announce(user.pk, complaint.merchant_id)
    return created


def _announce(user_id: int, merchant_id: int | None) -> None:
    """The user's alert list changed: their open pages re-read it."""
    events.announce(events.ALERT_CHANGED, merchant_id=merchant_id, user_id=user_id)


def alerts_on_arrival(*, complaint: Complaint, created: bool, now: datetime | None = None) -> int:
    """Alerts for what this ingestion brought; returns how many rows were attempted."""
    now = now or timezone.now()
    count = 0
    if complaint.need_immediate_service and complaint.complaint_state != Complaint.State.PROCESSED:
        text = _("Needs immediate service: %(problem)s") % {
            "problem": complaint.problem_description or complaint.complaint_detail[:80]
        }
        count += _create(
            agents_of(complaint.merchant_id),
            kind=Alert.Kind.IMMEDIATE,
            complaint=complaint,
            key="arrived",
            text=text,
        )
    if complaint.assignee_id and not created:
        count += _user_message_alerts(complaint, now)
    return count


def _user_message_alerts(complaint: Complaint, now: datetime) -> int:
    owner = agents_of(complaint.merchant_id).filter(pk=complaint.assignee_id)
    if not owner.exists():
        return 0  # the owner no longer works this merchant
    entries = HistoryEntry.objects.filter(
        complaint=complaint,
        operate_type__in=USER_MESSAGE_TYPES,
        created_at__gte=now - FRESH_HISTORY,
    ).order_by("operate_time", "id")
    count = 0
    for entry in entries:
        text = _("New user message: %(text)s") % {"text": entry.operate_details[:120] or "…"}
        count += _create(
            owner, kind=Alert.Kind.USER_MESSAGE, complaint=complaint, key=entry.log_id, text=text
        )
    return count


def alert_mark_read(*, user: Any, alert_ids: list[int] | None = None) -> int:
    """Mark the user's alerts read (all of them when no ids are given)."""
    alerts = Alert.objects.filter(user=user, read_at=None)
    if alert_ids is not None:
        alerts = alerts.filter(pk__in=alert_ids)
    changed = alerts.update(read_at=timezone.now())
    if changed:
        _announce(user.pk, None)
    return changed


def alerts_read_for_complaint(*, user: Any, complaint_id: int) -> int:
    changed = Alert.objects.filter(user=user, complaint_id=complaint_id, read_at=None).update(
        read_at=timezone.now()
    )
    if changed:
        _announce(user.pk, None)
    return changed
