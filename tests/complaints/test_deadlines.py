"""The SLA sweep marks complaints due soon and overdue as time passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from complaints.models import TimelineEvent
from complaints.services import sla_sweep
from tests.complaints.conftest import make_complaint

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def status(complaint) -> str:
    complaint.refresh_from_db()
    return complaint.sla_status


def test_a_pending_complaint_goes_due_soon_then_overdue(merchant):
    complaint = make_complaint(merchant, complaint_time=T0)

    with time_machine.travel(T0 + timedelta(hours=19), tick=False):
        assert sla_sweep() == 0
        assert status(complaint) == "on_track"
    with time_machine.travel(T0 + timedelta(hours=21), tick=False):
        assert sla_sweep() == 1
        assert status(complaint) == "at_risk"
    with time_machine.travel(T0 + timedelta(hours=24, seconds=1), tick=False):
        assert sla_sweep() == 1
        assert status(complaint) == "overdue"
        assert sla_sweep() == 0
    kinds = list(TimelineEvent.objects.values_list("data", flat=True))
    assert kinds == [{"from": "on_track", "to": "at_risk"}, {"from": "at_risk", "to": "overdue"}]


def test_after_the_first_reply_the_completion_deadline_counts(merchant):
    complaint = make_complaint(
        merchant,
        complaint_time=T0,
        complaint_state="PROCESSING",
        first_replied_at=T0 + timedelta(hours=1),
    )

    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        sla_sweep()
        assert status(complaint) == "on_track"
    with time_machine.travel(T0 + timedelta(hours=72, minutes=1), tick=False):
        sla_sweep()
        assert status(complaint) == "overdue"


def test_processed_complaints_are_left_alone(merchant):
    complaint = make_complaint(merchant, complaint_time=T0, complaint_state="PROCESSED")

    with time_machine.travel(T0 + timedelta(hours=100), tick=False):
        assert sla_sweep() == 0
    assert status(complaint) == "on_track"


def test_an_immediate_service_complaint_is_not_due_soon_the_moment_it_arrives(
    merchant, django_capture_on_commit_callbacks
):
    from console.models import LiveEvent

    complaint = make_complaint(
        merchant,
        complaint_time=T0,
        need_immediate_service=True,
        first_reply_due_at=T0 + timedelta(minutes=60),
    )
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        sla_sweep()
        assert status(complaint) == "on_track"  # the 240-minute margin is capped at 30 here
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert sla_sweep() == 1
        assert status(complaint) == "at_risk"
    # Open queues and pages hear of it at once.
    assert LiveEvent.objects.filter(kind="complaint.changed", complaint_id=complaint.pk).exists()
