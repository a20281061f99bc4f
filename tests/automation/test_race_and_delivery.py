"""Against the sandbox over real HTTP, with real transactions: a rule fires once when the
webhook follow-up and the sync see a complaint at the same time, and its reply reaches WeChat
(the sandbox) through a real worker as a MACHINE message."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection

from automation.models import AutoReply
from automation.services import complaint_arrived
from complaints.models import Complaint
from complaints.services import complaint_refresh, merchant_sync
from messaging.models import Reply
from tests.automation.conftest import make_complaint, make_rule

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False
    settings.REPLY_DELIVERY = {"backoff_base": 0.05, "backoff_cap": 0.2}


def race(*calls: Callable[[], object]) -> list[BaseException]:
    """Run the calls in threads released together; return what they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def wait_for(condition: Callable[[], object], timeout: float = 20.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_two_transactions_acknowledging_one_complaint_at_once_send_one_reply(merchant):
    make_rule(merchant)
    complaint = make_complaint(merchant)

    errors = race(*[lambda: complaint_arrived(complaint=complaint, created=True)] * 4)

    assert errors == []
    assert Reply.objects.filter(complaint=complaint).count() == 1
    assert AutoReply.objects.filter(complaint=complaint).count() == 1


def test_webhook_follow_up_and_sync_racing_on_a_new_complaint_send_one_reply(sandbox, wired):
    make_rule(wired, immediate="yes")
    complaint_ids = sandbox.control.create_complaints(wired.mchid, 3, need_immediate_service=True)

    # For each complaint: two webhook follow-ups (a redelivered notification) and a full sync.
    calls = [
        lambda cid=cid: complaint_refresh(merchant=wired, complaint_id=cid) for cid in complaint_ids
    ]
    calls += [
        lambda cid=cid: complaint_refresh(merchant=wired, complaint_id=cid) for cid in complaint_ids
    ]
    calls.append(lambda: merchant_sync(merchant=wired))
    errors = race(*calls)
    # Two first inserts of one complaint: the loser updates the winner's row instead of failing.
    assert errors == []

    for complaint_id in complaint_ids:
        complaint = Complaint.objects.get(complaint_id=complaint_id)
        assert Reply.objects.filter(complaint=complaint).count() == 1, complaint_id
        assert AutoReply.objects.filter(complaint=complaint).count() == 1


def test_the_automatic_reply_reaches_the_sandbox_as_a_machine_message(
    sandbox, wired, celery_worker_process
):
    make_rule(wired, immediate="yes")
    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1, need_immediate_service=True)

    complaint_refresh(merchant=wired, complaint_id=complaint_id)

    reply = Reply.objects.get(complaint__complaint_id=complaint_id)
    wait_for(lambda: Reply.objects.filter(pk=reply.pk, status=Reply.Status.DELIVERED).exists())
    (sent,) = sandbox.control.replies(complaint_id=complaint_id)
    assert sent["body"]["message"]["sender_identity"] == "MACHINE"
    assert sent["body"]["idempotent_id"] == str(reply.idempotent_id)
    reply.refresh_from_db()
    assert reply.log_id == sent["log_id"] and reply.is_automatic
    complaint = Complaint.objects.get(complaint_id=complaint_id)
    assert complaint.complaint_state == Complaint.State.PROCESSING
    assert complaint.first_replied_at is None  # an acknowledgement is not the first human reply


def test_an_acknowledgement_stays_out_of_first_replied_at_after_the_next_sync(
    sandbox, wired, celery_worker_process
):
    make_rule(wired, immediate="yes")
    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1, need_immediate_service=True)
    complaint_refresh(merchant=wired, complaint_id=complaint_id)
    reply = Reply.objects.get(complaint__complaint_id=complaint_id)
    wait_for(lambda: Reply.objects.filter(pk=reply.pk, status=Reply.Status.DELIVERED).exists())

    complaint_refresh(merchant=wired, complaint_id=complaint_id)  # the next notification or sync

    assert Complaint.objects.get(complaint_id=complaint_id).first_replied_at is None
