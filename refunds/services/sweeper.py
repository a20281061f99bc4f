"""Putting refunds (back) on the queue: now, later, or when their lease ran out (the sweeper), and
asking WeChat Pay for the state of refunds whose notification is late.

A broker that is down never loses a refund: the row stays open and the sweeper re-enqueues it."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from console.retry_policy import delivery_settings
from refunds.models import Refund

logger = logging.getLogger(__name__)
Status = Refund.Status


def _send(task_name: str, refund_id: int, countdown: float = 0) -> None:
    from refunds import tasks

    task = getattr(tasks, task_name)
    try:
        task.apply_async((refund_id,), countdown=countdown or None)
    except Exception:  # noqa: BLE001 - broker down: the row stays open and the sweeper retries
        logger.warning("could not enqueue %s for refund %s", task_name, refund_id)


def enqueue_now(refund_id: int) -> None:
    _send("send_refund", refund_id)


def enqueue_later(refund_id: int, countdown: float) -> None:
    _send("send_refund", refund_id, countdown)


def enqueue_query(refund_id: int, countdown: float = 0) -> None:
    _send("query_refund", refund_id, countdown)


def refund_sweep(*, now=None) -> tuple[int, int]:
    """Re-enqueue refunds whose lease ran out (message lost, worker killed), and query those
    WeChat Pay accepted whose notification is late. Returns (re-sent, queried)."""
    conf = delivery_settings("REFUND_DELIVERY")
    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(
            Refund.objects.select_for_update(skip_locked=True)
            .filter(status__in=Refund.SENDING_STATUSES, lease_until__lt=now)
            .order_by("lease_until")
            .values_list("pk", flat=True)[: conf.sweep_batch]
        )
        # A lapsed "sending" lease: the worker died mid-request, the outcome is unknown; the
        # next attempt sends the same out_refund_no, which WeChat Pay answers with the refund.
        Refund.objects.filter(pk__in=stuck, status=Status.SENDING).update(
            status=Status.RETRYING, next_attempt_at=now
        )
        Refund.objects.filter(pk__in=stuck).update(lease_until=now + conf.queue_lease)
        late = list(
            Refund.objects.select_for_update(skip_locked=True)
            .filter(status__in=(Status.PROCESSING, Status.ABNORMAL), check_after__lt=now)
            .order_by("check_after")
            .values_list("pk", flat=True)[: conf.sweep_batch]
        )
        Refund.objects.filter(pk__in=late).update(check_after=now + conf.queue_lease)
        for refund_id in stuck:
            transaction.on_commit(lambda rid=refund_id: enqueue_now(rid))
        for refund_id in late:
            transaction.on_commit(lambda rid=refund_id: enqueue_query(rid))
    if stuck or late:
        logger.info("refund sweeper: %d re-enqueued, %d queried", len(stuck), len(late))
    return len(stuck), len(late)
