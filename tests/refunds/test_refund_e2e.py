"""Refunds end to end: a real worker sends them to the sandbox over real HTTP with real
signatures, the sandbox notifies the live console's refund webhook, and every refund exists
exactly once at WeChat Pay, whatever the sandbox answers on the way."""

from __future__ import annotations

import uuid

import pytest
from django.db import close_old_connections

from complaints.models import Complaint, TimelineEvent
from merchants.services import wechatpay_client
from messaging.models import Reply
from refunds.models import OrderSnapshot, Refund
from refunds.services import (
    order_balance,
    order_refresh_request,
    refund_approve,
    refund_failure_explanation,
    refund_sweep,
)
from tests.refunds.conftest import ask
from tests.refunds.e2e import sandbox_order_complaint, sandbox_refunds, wait_for, worker_env

pytestmark = pytest.mark.django_db(transaction=True)
REFUNDS = "/v3/refund/domestic/refunds"


@pytest.fixture
def worker(monkeypatch, live_server, start_worker):
    worker_env(monkeypatch, live_server)
    return start_worker()


def settled(refund: Refund, status: str = Refund.Status.SUCCESS, timeout: float = 60) -> Refund:
    def done():
        close_old_connections()
        refund.refresh_from_db()
        return refund.status == status

    wait_for(done, timeout, what=f"refund {refund.out_refund_no} to be {status}")
    return refund


def test_a_full_refund_arrives_once(sandbox, wired, staff, worker):
    complaint = sandbox_order_complaint(sandbox, wired, amount=4000)

    refund = settled(ask(complaint, staff["agent"], 4000))

    (made,) = sandbox_refunds(sandbox, refund.out_refund_no)
    assert (made["refund"], made["total"], made["status"]) == (4000, 4000, "SUCCESS")
    assert refund.refund_id == made["refund_id"]
    (order,) = sandbox.control.orders(complaint_id=complaint.complaint_id)
    assert order["refundable"] == 0
    kinds = list(TimelineEvent.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert kinds.count("refund_accepted") == 1 and kinds.count("refund_succeeded") == 1


def test_partial_refunds_add_up_to_the_order(sandbox, wired, staff, worker):
    complaint = sandbox_order_complaint(sandbox, wired, amount=5000)

    first = settled(ask(complaint, staff["agent"], 1500))
    second = settled(ask(complaint, staff["agent2"], 2000))

    (order,) = sandbox.control.orders(complaint_id=complaint.complaint_id)
    assert (order["refunded"], order["refundable"]) == (3500, 1500)
    assert {r["out_refund_no"] for r in order["refunds"]} == {
        first.out_refund_no,
        second.out_refund_no,
    }


def test_the_order_is_read_by_a_task_and_cached(sandbox, wired, staff, worker):
    complaint = sandbox_order_complaint(sandbox, wired, amount=2500)

    order_refresh_request(complaint=complaint)

    def fresh():
        snapshot = OrderSnapshot.objects.filter(complaint=complaint).first()
        return snapshot if snapshot and snapshot.status == "fresh" else None

    snapshot = wait_for(fresh)
    assert (snapshot.total, snapshot.trade_state) == (2500, "SUCCESS")
    assert snapshot.transaction_id == complaint.transaction_id


def test_an_over_refund_is_refused_by_wechat_with_its_reason(sandbox, wired, staff, worker):
    complaint = sandbox_order_complaint(sandbox, wired, amount=3000)
    # The console believes the order is larger than it is (no snapshot read yet).
    Complaint.objects.filter(pk=complaint.pk).update(amount=9000)
    complaint.refresh_from_db()

    refund = settled(ask(complaint, staff["agent"], 4000), Refund.Status.FAILED)

    assert refund.error_code == "INVALID_REQUEST"
    assert refund.error_message  # WeChat's own words, shown on the complaint page
    assert sandbox_refunds(sandbox, refund.out_refund_no) == []
    assert refund.attempts.count() == 1  # a business refusal is never retried


def test_a_refund_request_is_approved_refunded_and_closed_as_wechat_does(
    sandbox, wired, staff, worker
):
    complaint = sandbox_order_complaint(sandbox, wired, problem_type="REFUND", amount=3000)

    refund = settled(ask(complaint, staff["agent"], 3000, launch_refund_day=0))

    approve = Reply.objects.get(pk=refund.approve_reply_id)
    assert approve.status == Reply.Status.DELIVERED
    assert refund.accepted_at > approve.delivered_at  # the refund followed the APPROVE
    complaint.refresh_from_db()
    assert complaint.complaint_state == Complaint.State.PROCESSED
    at_wechat = wechatpay_client(wired).get_complaint(complaint.complaint_id)
    assert at_wechat.complaint_state == "PROCESSED"


def test_above_the_limit_the_refund_waits_until_a_supervisor_approves(
    sandbox, wired, staff, worker
):
    complaint = sandbox_order_complaint(sandbox, wired, amount=9000)

    refund = ask(complaint, staff["agent"], 9000)

    assert refund.status == Refund.Status.AWAITING_APPROVAL
    assert sandbox_refunds(sandbox, refund.out_refund_no) == []
    refund_approve(refund_pk=refund.pk, user=staff["supervisor"])
    settled(refund)
    assert len(sandbox_refunds(sandbox, refund.out_refund_no)) == 1


def test_a_double_submit_makes_one_refund(sandbox, wired, staff, worker):
    complaint = sandbox_order_complaint(sandbox, wired, amount=2000)
    key = uuid.uuid4()

    first = ask(complaint, staff["agent"], 2000, request_key=key)
    again = ask(complaint, staff["agent"], 2000, request_key=key)

    assert again.pk == first.pk
    settled(first)
    assert len(sandbox.control.orders(complaint_id=complaint.complaint_id)[0]["refunds"]) == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"mode": "system_error", "count": 3},
        {"mode": "rate_limited", "count": 3},
        {"mode": "drop_after_commit", "count": 2},
        {"mode": "delay", "seconds": 11, "count": 1},
    ],
    ids=["500", "429", "answer-lost", "timeout"],
)
def test_faults_never_make_a_second_refund(sandbox, wired, staff, worker, fault):
    complaint = sandbox_order_complaint(sandbox, wired, amount=3000)
    sandbox.control.set_faults({**fault, "path_prefix": REFUNDS})
    try:
        refund = settled(ask(complaint, staff["agent"], 3000), timeout=90)
    finally:
        sandbox.control.clear_faults()

    assert len(sandbox_refunds(sandbox, refund.out_refund_no)) == 1
    # The fault hit an attempt; a retry (same out_refund_no) or the notification settled it.
    assert refund.attempts.exclude(outcome="accepted").exists()


def test_a_late_notification_is_replaced_by_a_query(
    sandbox, wired, staff, monkeypatch, live_server, start_worker
):
    worker_env(monkeypatch, live_server)
    monkeypatch.setenv("TEST_CONSOLE_PUBLIC_URL", "http://127.0.0.1:9")  # notifications get lost
    start_worker()
    complaint = sandbox_order_complaint(sandbox, wired, amount=1000)
    refund = settled(ask(complaint, staff["agent"], 1000), Refund.Status.PROCESSING)
    wait_for(lambda: sandbox_refunds(sandbox, refund.out_refund_no)[0]["status"] == "SUCCESS")
    Refund.objects.filter(pk=refund.pk).update(check_after=refund.created_at)

    assert refund_sweep() == (0, 1)

    settled(refund)
    assert refund.succeeded_at is not None


def test_a_refund_wechat_closes_gives_its_amount_back(sandbox, wired, staff, worker):
    complaint = sandbox_order_complaint(sandbox, wired, amount=2000)
    sandbox.control.set_faults({"mode": "refund_closed", "count": 1, "path_prefix": REFUNDS})
    try:
        refund = settled(ask(complaint, staff["agent"], 2000), Refund.Status.CLOSED)
    finally:
        sandbox.control.clear_faults()

    assert order_balance(complaint).refundable == 2000
    assert TimelineEvent.objects.filter(complaint=complaint, kind="refund_failed").exists()
    again = settled(ask(complaint, staff["agent"], 2000))  # the agent can refund again
    assert again.out_refund_no != refund.out_refund_no


def test_not_enough_balance_is_refused_once_with_the_reason(sandbox, wired, staff, worker):
    complaint = sandbox_order_complaint(sandbox, wired, amount=2000)
    sandbox.control.set_faults({"mode": "not_enough", "count": 1, "path_prefix": REFUNDS})
    try:
        refund = settled(ask(complaint, staff["agent"], 2000), Refund.Status.FAILED)
    finally:
        sandbox.control.clear_faults()

    assert refund.error_code == "NOT_ENOUGH"
    assert "balance is too low" in refund_failure_explanation(refund)
    assert refund.attempts.count() == 1


def test_an_order_wechat_does_not_know_is_shown_as_unreadable(sandbox, wired, staff, worker):
    complaint = sandbox_order_complaint(sandbox, wired, amount=2000)
    Complaint.objects.filter(pk=complaint.pk).update(transaction_id="4200000000000000000000000001")
    complaint.refresh_from_db()

    order_refresh_request(complaint=complaint)

    def failed():
        close_old_connections()
        snapshot = OrderSnapshot.objects.filter(complaint=complaint).first()
        return snapshot if snapshot and snapshot.status == "failed" else None

    snapshot = wait_for(failed)
    assert snapshot.error_code and snapshot.error_message
    assert snapshot.total is None


def test_every_attempt_records_wechats_status_and_request_id(sandbox, wired, staff, worker):
    complaint = sandbox_order_complaint(sandbox, wired, amount=1000)
    sandbox.control.set_faults({"mode": "system_error", "count": 1, "path_prefix": REFUNDS})
    try:
        refund = settled(ask(complaint, staff["agent"], 1000))
    finally:
        sandbox.control.clear_faults()

    first, *_rest, last = list(refund.attempts.order_by("number"))
    assert (first.outcome, first.http_status) == ("retryable", 500)
    assert (last.outcome, last.http_status) == ("accepted", 200)
    assert first.request_id and last.request_id
