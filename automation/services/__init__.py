"""Automation and alerts. Import from here: `from automation.services import complaint_arrived`."""

from __future__ import annotations

import logging

from django.db import transaction

from automation.services.acknowledge import auto_reply_idempotent_id, complaint_auto_acknowledge
from automation.services.alerts import (
    agents_of,
    alert_mark_read,
    alerts_on_arrival,
    alerts_read_for_complaint,
)
from automation.services.clearing import alerts_clear_resolved, alerts_on_handled, alerts_sweep
from automation.services.rules import (
    rule_delete,
    rule_dry_run,
    rule_matches,
    rule_reply_for,
    rule_save,
    rule_set_enabled,
)
from automation.services.supervision import digest_send, supervisor_scan

logger = logging.getLogger(__name__)

__all__ = [
    "agents_of",
    "alert_mark_read",
    "alerts_clear_resolved",
    "alerts_on_handled",
    "alerts_on_arrival",
    "alerts_read_for_complaint",
    "alerts_sweep",
    "auto_reply_idempotent_id",
    "complaint_arrived",
    "complaint_auto_acknowledge",
    "digest_send",
    "rule_delete",
    "rule_dry_run",
    "rule_matches",
    "rule_reply_for",
    "rule_save",
    "rule_set_enabled",
    "supervisor_scan",
]


def complaint_arrived(*, complaint, created: bool) -> None:
    """Ingestion stored a new or changed complaint (called inside its transaction): acknowledge
    it automatically if a rule says so, alert the agents who must see it, and clear the alerts
    whose reason is gone (answered or completed elsewhere). Each part runs in
    its own savepoint and never fails the ingestion: a complaint must be stored whatever
    automation thinks of it."""
    for step in (_acknowledge, _alert, _clear):
        try:
            with transaction.atomic():
                step(complaint, created)
        except Exception:  # noqa: BLE001 - logged with its traceback; ingestion goes on
            logger.exception(
                "automation step %s failed for complaint %s", step.__name__, complaint.pk
            )


def _acknowledge(complaint, created: bool) -> None:
    complaint_auto_acknowledge(complaint=complaint)


def _alert(complaint, created: bool) -> None:
    alerts_on_arrival(complaint=complaint, created=created)


def _clear(complaint, created: bool) -> None:
    alerts_clear_resolved(complaint_id=complaint.pk)
