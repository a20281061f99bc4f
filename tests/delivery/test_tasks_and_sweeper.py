"""Task names are pinned; the sweeper re-enqueues what a lost message or a dead worker left."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from console.celery import app
from messaging.models import Reply
from messaging.services.delivery import reply_deliver
from messaging.services.replies import reply_submit
from messaging.services.sweeper import reply_sweep
from messaging.tasks import deliver_reply, sweep_replies, upload_image


def test_task_names_are_pinned():
    # Renaming a task strands the messages already queued under the old name.
    assert deliver_reply.name == "messaging.deliver_reply"
    assert sweep_replies.name == "messaging.sweep_replies"
    assert upload_image.name == "messaging.upload_image"  # queued by name (services/images)
    assert {"messaging.deliver_reply", "messaging.sweep_replies"} <= set(app.tasks)


def test_delivery_acks_late_because_its_effect_is_idempotent():
    assert deliver_reply.acks_late is True
    assert deliver_reply.reject_on_worker_lost is True


def test_sweeper_runs_on_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["messaging.sweep_replies"]
    assert entry["task"] == "messaging.sweep_replies"


def queued_reply(complaint) -> Reply:
    return reply_submit(
        complaint=complaint,
        author=None,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"response_content": "hello"},
        idempotent_id=uuid.uuid4(),
    )


def test_sweeper_leaves_replies_within_their_lease_alone(complaint):
    queued_reply(complaint)
    assert reply_sweep() == 0


def test_sweeper_reenqueues_a_queued_reply_whose_message_was_lost(complaint):
    reply = queued_reply(complaint)
    later = reply.lease_until + timedelta(seconds=1)

    assert reply_sweep(now=later) == 1
    reply.refresh_from_db()
    assert reply.lease_until > later  # pushed forward: the next sweep does not enqueue it again
    assert reply_sweep(now=later) == 0


def test_sweeper_makes_a_reply_stuck_in_sending_due_again(complaint):
    reply = queued_reply(complaint)
    lapsed = timezone.now() - timedelta(seconds=1)
    Reply.objects.filter(pk=reply.pk).update(
        status=Reply.Status.SENDING, attempt_count=1, lease_until=lapsed
    )

    assert reply_sweep() == 1
    reply.refresh_from_db()
    assert reply.status == Reply.Status.RETRYING
    assert reply.next_attempt_at <= timezone.now()


def test_a_reply_being_sent_by_another_worker_is_not_taken(complaint):
    reply = queued_reply(complaint)
    held = timezone.now() + timedelta(seconds=60)
    Reply.objects.filter(pk=reply.pk).update(status=Reply.Status.SENDING, lease_until=held)

    assert reply_deliver(reply_id=reply.pk) == "skipped"
    assert reply.attempts.count() == 0


def test_sweeper_ignores_final_replies(complaint):
    reply = queued_reply(complaint)
    Reply.objects.filter(pk=reply.pk).update(
        status=Reply.Status.DELIVERED, lease_until=timezone.now() - timedelta(hours=1)
    )
    assert reply_sweep() == 0
