"""Agents' alerts: a new immediate-service complaint for everyone working its merchant, a new
user message for the complaint's owner. Written in the ingesting transaction.

An alert clears itself (read_at set) once its reason is gone: see `alerts_clear_resolved`. Every
alert raised or cleared is announced (events.ALERT_CHANGED, to its owner), so badges follow."""

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


def announce_alerts_changed(*, merchant_id: int, complaint_id: int, user_ids: Any) -> None:
    """Tell each owner's open tabs (on commit) that their alerts changed."""
    for user_id in sorted(set(user_ids)):
        events.announce(
            events.ALERT_CHANGED,
            merchant_id=merchant_id,
            complaint_id=complaint_id,
            user_id=user_id,
        )


def _create(users: Any, *, kind: str, complaint: Complaint, key: str, text: str) -> int:
    """Alert each user not alerted for this yet; returns how many were new."""
    known = set(
        Alert.objects.filter(kind=kind, complaint=complaint, key=key).values_list(
            "user_id", flat=True
        )
    )
    rows = [
        Alert(user=user, kind=kind, complaint=complaint, key=key, text=text[:300])
        for user in users
        if user.pk not in known
    ]
    if not rows:
        return 0
    # A redelivered notification or a racing sync finds the rows and adds nothing.
    Alert.objects.bulk_create(rows, ignore_conflicts=True)
    announce_alerts_changed(
        merchant_id=complaint.merchant_id,
        complaint_id=complaint.pk,
        user_ids=[row.user_id for row in rows],
    )
    return len(rows)


def alerts_on_arrival(*, complaint: Complaint, created: bool, now: datetime | None = None) -> int:
    """Alerts for what this ingestion brought; returns how many were new."""
    now = now or timezone.now()
    count = 0
    if (
        complaint.need_immediate_service
        and complaint.complaint_state != Complaint.State.PROCESSED
        and complaint.first_replied_at is None
    ):
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


def alerts_set_read(alerts: QuerySet) -> int:
    """Mark these unread alerts read and announce it to their owners."""
    rows = list(alerts.filter(read_at=None).values_list("pk", "user_id", "complaint_id"))
    if not rows:
        return 0
    count = Alert.objects.filter(pk__in=[pk for pk, _user, _complaint in rows]).update(
        read_at=timezone.now()
    )
    merchants = dict(
        Complaint.objects.filter(pk__in={row[2] for row in rows}).values_list("pk", "merchant_id")
    )
    for complaint_id in sorted({row[2] for row in rows}):
        announce_alerts_changed(
            merchant_id=merchants[complaint_id],
            complaint_id=complaint_id,
            user_ids=[user for _pk, user, complaint in rows if complaint == complaint_id],
        )
    return count


def alert_mark_read(*, user: Any, alert_ids: list[int] | None = None) -> int:
    """Mark the user's alerts read (all of them when no ids are given)."""
    alerts = Alert.objects.filter(user=user, read_at=None)
    if alert_ids is not None:
        alerts = alerts.filter(pk__in=alert_ids)
    return alerts_set_read(alerts)


def alerts_read_for_complaint(*, user: Any, complaint_id: int) -> int:
    return alerts_set_read(Alert.objects.filter(user=user, complaint_id=complaint_id))
