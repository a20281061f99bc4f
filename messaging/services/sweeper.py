"""Putting reply rows (back) on the queue: now, later, or when their lease ran out (the sweeper).

A broker that is down never loses a reply: the row stays open and the sweeper re-enqueues it."""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone

from console.retry_policy import delivery_settings
from messaging.models import Reply

logger = logging.getLogger(__name__)
Status = Reply.Status
# Queued by its stable name: messaging/tasks.py imports the services, never the reverse.
DELIVER_TASK = "messaging.deliver_reply"


def enqueue_later(reply_id: int, countdown: float) -> None:
    try:
        current_app.send_task(DELIVER_TASK, args=(reply_id,), countdown=countdown)
    except Exception:  # noqa: BLE001 - broker down: the row stays open and the sweeper retries
        logger.warning("could not enqueue reply %s; the sweeper will pick it up", reply_id)


def enqueue_now(reply_id: int) -> None:
    try:
        current_app.send_task(DELIVER_TASK, args=(reply_id,))
    except Exception:  # noqa: BLE001 - broker down: the row stays open and the sweeper retries
        logger.warning("could not enqueue reply %s; the sweeper will pick it up", reply_id)


# --- the sweeper -------------------------------------------------------------------------------


def reply_sweep(*, now=None) -> int:
    """Re-enqueue open replies whose lease ran out (message lost, worker killed). Each row's
    lease is pushed forward first, so a sweep never enqueues the same row twice in a row."""
    conf = delivery_settings()
    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(
            Reply.objects.select_for_update(skip_locked=True)
            .filter(status__in=Reply.OPEN_STATUSES, lease_until__lt=now)
            .order_by("lease_until")
            .values_list("pk", flat=True)[: conf.sweep_batch]
        )
        # A lapsed "sending" lease means the worker died mid-request: the attempt's outcome is
        # unknown, and the row becomes due again (the next attempt checks history if needed).
        Reply.objects.filter(pk__in=stuck, status=Status.SENDING).update(
            status=Status.RETRYING, next_attempt_at=now
        )
        Reply.objects.filter(pk__in=stuck).update(lease_until=now + conf.queue_lease)
        for reply_id in stuck:
            transaction.on_commit(lambda rid=reply_id: enqueue_now(rid))
    if stuck:
        logger.info("sweeper re-enqueued %d replies", len(stuck))
    return len(stuck)
