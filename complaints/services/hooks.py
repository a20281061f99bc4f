"""The single point where "a complaint arrived or changed" is announced.

The automation engineer adds to `on_complaint_ingested`; ingestion calls it once per complaint
whose WeChat fields or history changed, inside the ingesting transaction (schedule side effects
with transaction.on_commit).
"""

from __future__ import annotations

from complaints.models import Complaint


def on_complaint_ingested(complaint: Complaint, created: bool) -> None:
    """Called when a complaint arrived (`created`) or changed: automation (auto-acknowledgement
    rules, agents' alerts) reacts inside the ingesting transaction."""
    from automation.services import complaint_arrived  # lazy: automation imports complaints

    complaint_arrived(complaint=complaint, created=created)
