"""Live events: what changed, announced on commit, for the browsers' stream and subscribers.

The one module that owns events (Zulip's `send_event_on_commit` is the model). An event names what
changed by ids, never rendered HTML or personal data; a browser that hears of it fetches what it may
see through the usual permission-checked views.
"""

from __future__ import annotations

import json
import logging
from functools import cache

from django.conf import settings
from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)

COMPLAINT_ARRIVED = "complaint.arrived"
COMPLAINT_CHANGED = "complaint.changed"
HISTORY_ADDED = "history.added"
REPLY_CHANGED = "reply.changed"
WORK_CHANGED = "work.changed"  # claim, assign, release
PRESENCE_CHANGED = "presence.changed"
NOTE_ADDED = "note.added"
ALERT_CHANGED = "alert.changed"  # raised or cleared; carries user_id
IMAGE_CHANGED = "image.changed"  # a library image's upload; carries image_id
COMPLAINT_IMAGE_CHANGED = "complaint_image.changed"  # fetched from WeChat or failed; image_id
REFUND_CHANGED = "refund.changed"  # a refund of the complaint moved; carries refund_id
ORDER_CHANGED = "order.changed"  # the complaint's order as WeChat Pay knows it was re-read

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
        IMAGE_CHANGED,
        COMPLAINT_IMAGE_CHANGED,
        REFUND_CHANGED,
        ORDER_CHANGED,
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


def channel() -> str:
    """The Redis pub/sub channel; named after the Celery queue, so test runs never cross."""
    return f"{settings.CELERY_TASK_DEFAULT_QUEUE}:live"


@cache
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def _publish(payload: dict) -> None:
    """Store the event (the resume log, and the embedded mode's fan-out), then tell every web
    process through Redis when there is one. News, not state: a failure here is logged and
    never undoes the change it reports (a browser re-reads the page when it reconnects)."""
    from console.models import LiveEvent

    extra = {k: v for k, v in payload.items() if k not in _COLUMNS}
    try:
        event = LiveEvent.objects.create(
            kind=payload["kind"],
            merchant_id=payload["merchant_id"],
            complaint_id=payload["complaint_id"],
            user_id=payload.get("user_id"),
            data=extra,
        )
    except DatabaseError:
        logger.warning("live event %s not stored", payload["kind"], exc_info=True)
        return
    if settings.REDIS_URL:
        try:
            _redis().publish(channel(), json.dumps(event.message()))
        except Exception:  # noqa: BLE001 - any Redis failure; the resume log still has it
            logger.warning("live event %s not published", event.pk, exc_info=True)


_COLUMNS = {"kind", "merchant_id", "complaint_id", "user_id"}
