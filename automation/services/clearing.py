"""Alerts that clear themselves: an agent's alert is marked read as soon as its reason is gone.

The reason is gone when
- the complaint was completed (处理完成);
- someone else owns it now (claimed by or assigned to another agent);
- it was answered: for a new immediate-service complaint, any human reply (submitted in the
  console and not failed, or seen in the history as sent on WeChat's merchant platform); for a
  new user message, a human reply submitted after the alert, or sent on the platform after the
  message. Automatic acknowledgements answer nothing.

Derived from the complaint as it is now, so calling it again changes nothing: it runs from the
complaints hooks (ingestion, claim, assign, reply submitted or delivered) and from a beat sweep
that catches whatever a hook missed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from automation.models import Alert
from automation.services.alerts import alerts_set_read
from complaints.models import Complaint, HistoryEntry
from complaints.services.ingest import MERCHANT_REPLY_TYPES
from messaging.models import Reply

logger = logging.getLogger(__name__)
REPLY_ENDPOINTS = (Reply.Endpoint.IMMEDIATE, Reply.Endpoint.RESPONSE)


def _console_replies(complaint: Complaint) -> list[datetime]:
    """When people submitted replies to the user in the console (failed ones answer nothing)."""
    return list(
        Reply.objects.filter(complaint=complaint, is_automatic=False, endpoint__in=REPLY_ENDPOINTS)
        .exclude(status=Reply.Status.FAILED)
        .values_list("created_at", flat=True)
    )


def _platform_replies(complaint: Complaint) -> list[datetime]:
    """When people replied according to the history: not the console's automatic replies and
    not messages that declare themselves a bot's."""
    automatic = set(
        Reply.objects.filter(complaint=complaint, is_automatic=True)
        .exclude(log_id="")
        .values_list("log_id", flat=True)
    )
    rows = HistoryEntry.objects.filter(complaint=complaint, operate_type__in=MERCHANT_REPLY_TYPES)
    return [
        row.operate_time
        for row in rows.only("log_id", "operate_time", "normal_message")
        if row.log_id not in automatic
        and not (
            isinstance(row.normal_message, dict)
            and row.normal_message.get("sender_identity") == "MACHINE"
        )
    ]


def _resolved(alerts: list[Alert], complaint: Complaint) -> list[Alert]:
    # A refund waiting for approval is cleared by its decision (refund_alerts), nothing else.
    alerts = [alert for alert in alerts if alert.kind != Alert.Kind.REFUND_APPROVAL]
    if complaint.complaint_state == Complaint.State.PROCESSED:
        return alerts
    owner = complaint.assignee_id
    console = _console_replies(complaint)
    platform = _platform_replies(complaint)
    messages = dict(
        HistoryEntry.objects.filter(
            complaint=complaint,
            log_id__in=[a.key for a in alerts if a.kind == Alert.Kind.USER_MESSAGE],
        ).values_list("log_id", "operate_time")
    )
    gone = []
    for alert in alerts:
        if owner is not None and alert.user_id != owner:
            gone.append(alert)  # someone else has it now
        elif alert.kind == Alert.Kind.IMMEDIATE:
            if complaint.first_replied_at or console or platform:
                gone.append(alert)
        elif alert.kind == Alert.Kind.USER_MESSAGE:
            written = messages.get(alert.key)
            if any(at >= alert.created_at for at in console) or (
                written is not None and any(at > written for at in platform)
            ):
                gone.append(alert)
    return gone


def alerts_clear_resolved(*, complaint_id: int) -> int:
    """Mark read every unread alert on the complaint whose reason is gone; returns how many."""
    alerts = list(Alert.objects.filter(complaint_id=complaint_id, read_at=None))
    if not alerts:
        return 0
    complaint = Complaint.objects.get(pk=complaint_id)
    gone = _resolved(alerts, complaint)
    if not gone:
        return 0
    return alerts_set_read(Alert.objects.filter(pk__in=[alert.pk for alert in gone]))


def alerts_on_handled(*, complaint_id: int) -> None:
    """The complaints hook: clear in a savepoint, never failing the claim or the reply."""
    try:
        with transaction.atomic():
            alerts_clear_resolved(complaint_id=complaint_id)
    except Exception:  # noqa: BLE001 - logged with its traceback; the sweep tries again
        logger.exception("clearing alerts failed for complaint %s", complaint_id)


def alerts_sweep() -> int:
    """Beat: clear every unread alert whose reason is gone (what a hook missed). Returns how
    many were cleared."""
    complaint_ids = (
        Alert.objects.filter(read_at=None).values_list("complaint_id", flat=True).distinct()
    )
    cleared = 0
    for complaint_id in list(complaint_ids):
        with transaction.atomic():
            # The complaint row first, as ingestion, claims and replies hold it while they clear.
            list(Complaint.objects.select_for_update().filter(pk=complaint_id).values_list("pk"))
            cleared += alerts_clear_resolved(complaint_id=complaint_id)
    return cleared
