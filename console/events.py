"""Live events: what changed, announced on commit, for the browsers' stream and subscribers.

The one module that owns events (Zulip's `send_event_on_commit` is the model). An event names what
changed by ids, never rendered HTML or personal data; a browser that hears of it fetches what it may
see through the usual permission-checked views.
"""

from __future__ import annotations

from django.db import transaction

COMPLAINT_ARRIVED = "complaint.arrived"
COMPLAINT_CHANGED = "complaint.changed"
HISTORY_ADDED = "history.added"
REPLY_CHANGED = "reply.changed"
WORK_CHANGED = "work.changed"  # claim, assign, release
PRESENCE_CHANGED = "presence.changed"
NOTE_ADDED = "note.added"
ALERT_CHANGED = "alert.changed"  # raised or cleared; carries user_id

KINDS = frozenset(
    {
        COMPLAINT_ARRIVED,
        COMPLAINT_CHANGED,
        HISTORY_ADDED,
        REPLY_CHANGED,
        WORK_CHANGED,
        PRESENCE_CHANGED,
        NOTE_ADDED,
        ALERT_CHANGED,
    }
)


def announce(
    kind: str,
    *,
    merchant_id: int | None,
    complaint_id: int | None = None,
    user_id: int | None = None,
    **ids: int | str,
) -> None:
    """Announce `kind` once the current transaction commits (at once outside one).

    `merchant_id` scopes who may hear it; `user_id` narrows it to one person (alerts)."""
    if kind not in KINDS:
        raise ValueError(f"unknown live event kind {kind!r}")
    payload = {"kind": kind, "merchant_id": merchant_id, "complaint_id": complaint_id}
    if user_id is not None:
        payload["user_id"] = user_id
    payload.update(ids)
    transaction.on_commit(lambda: _publish(payload))


def _publish(payload: dict) -> None:
    """Filled in by the live-console work: store the event and fan it out."""
