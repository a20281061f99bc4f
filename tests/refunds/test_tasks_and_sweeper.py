"""Refund task names are pinned; the sweeper re-sends what a lost message or a dead worker left,
and queries refunds whose notification is late; a refund being sent is never taken twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from console.celery import app
from refunds import tasks
from refunds.models import Refund
from refunds.services import refund_deliver, refund_sweep
from tests.refunds.conftest import ask

pytestmark = pytest.mark.django_db


def test_task_names_are_pinned():
    names = {
        tasks.send_refund: "refunds.send_refund",
        tasks.query_refund: "refunds.query_refund",
        tasks.fetch_order: "refunds.fetch_order",
        tasks.sweep: "refunds.sweep",
    }
    for task, name in names.items():
        assert task.name == name
        assert name in app.tasks


def test_sending_acks_late_because_the_out_refund_no_makes_it_idempotent():
    assert tasks.send_refund.acks_late is True
    assert tasks.send_refund.reject_on_worker_lost is True


def test_the_sweeper_runs_on_beat():
    assert settings.CELERY_BEAT_SCHEDULE["refunds.sweep"]["task"] == "refunds.sweep"


def test_refunds_within_their_lease_are_left_alone(complaint, people):
    ask(complaint, people["agent"], 1000)
    assert refund_sweep() == (0, 0)


def test_a_queued_refund_whose_message_was_lost_is_sent_again(complaint, people):
    refund = ask(complaint, people["agent"], 1000)
    later = refund.lease_until + timedelta(seconds=1)

    assert refund_sweep(now=later) == (1, 0)
    refund.refresh_from_db()
    assert refund.lease_until > later  # the next sweep does not enqueue it again
    assert refund_sweep(now=later) == (0, 0)


def test_a_refund_stuck_in_sending_is_due_again(complaint, people):
    refund = ask(complaint, people["agent"], 1000)
    Refund.objects.filter(pk=refund.pk).update(
        status=Refund.Status.SENDING, attempt_count=1, lease_until=timezone.now() - timedelta(1)
    )

    assert refund_sweep() == (1, 0)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.RETRYING
    assert refund.out_refund_no.startswith("CC")  # unchanged: the retry repeats the same refund


def test_a_refund_being_sent_by_another_worker_is_not_taken(complaint, people):
    refund = ask(complaint, people["agent"], 1000)
    Refund.objects.filter(pk=refund.pk).update(
        status=Refund.Status.SENDING, lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert refund_deliver(refund_id=refund.pk) == "skipped"
    assert not refund.attempts.exists()


def test_final_and_waiting_refunds_are_never_sent(complaint, people):
    waiting = ask(complaint, people["agent"], 6000)  # above the limit
    done = ask(complaint, people["agent"], 1000)
    Refund.objects.filter(pk=done.pk).update(status=Refund.Status.SUCCESS)
    assert refund_deliver(refund_id=waiting.pk) == "skipped"
    assert refund_deliver(refund_id=done.pk) == "skipped"


def test_an_accepted_refund_without_news_is_queried(complaint, people):
    refund = ask(complaint, people["agent"], 1000)
    Refund.objects.filter(pk=refund.pk).update(
        status=Refund.Status.PROCESSING, check_after=timezone.now() - timedelta(seconds=1)
    )
    assert refund_sweep() == (0, 1)
    assert refund_sweep() == (0, 0)  # check_after pushed forward
