"""refund_request and the four-eyes rules: the row first, once, within the balance and limits."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from automation.models import Alert
from complaints.models import TimelineEvent
from console.models import AuditEvent
from messaging.models import Reply
from refunds.models import OrderSnapshot, Refund
from refunds.services import (
    RefundError,
    StaleRefundError,
    limits_set,
    order_balance,
    refund_approve,
    refund_decline,
)
from tests.refunds.conftest import ask, order_complaint

pytestmark = pytest.mark.django_db


def test_within_the_limits_the_refund_is_queued_with_its_out_refund_no(complaint, people):
    key = uuid.uuid4()
    refund = ask(complaint, people["agent"], 3000, request_key=key)
    assert refund.status == Refund.Status.QUEUED
    assert refund.out_refund_no == f"CC{key.hex}"
    assert refund.order_total == 10000
    assert refund.lease_until is not None  # the sweeper sends it if the enqueue is lost
    kinds = list(TimelineEvent.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert TimelineEvent.Kind.REFUND_REQUESTED in kinds


def test_double_submit_gives_the_first_refund(complaint, people):
    key = uuid.uuid4()
    first = ask(complaint, people["agent"], 3000, request_key=key)
    again = ask(complaint, people["agent"], 3000, request_key=key)
    assert again.pk == first.pk
    assert Refund.objects.count() == 1


def test_over_refund_is_refused_with_the_balance_in_the_message(complaint, people):
    ask(complaint, people["agent"], 4000)
    with pytest.raises(RefundError) as caught:
        ask(complaint, people["supervisor"], 7000)
    assert "¥60.00" in str(caught.value) and "¥100.00" in str(caught.value)
    assert Refund.objects.count() == 1


def test_a_refund_closed_by_wechat_gives_its_amount_back(complaint, people):
    refund = ask(complaint, people["agent"], 4000)
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.CLOSED)
    assert order_balance(complaint).refundable == 10000


def test_a_complaint_without_order_cannot_be_refunded(merchant, people):
    bare = order_complaint(merchant, transaction_id="", complaint_order_info=[])
    with pytest.raises(RefundError, match="no order"):
        ask(bare, people["agent"], 100)


@pytest.mark.parametrize("amount", [0, -5])
def test_amounts_must_be_positive(complaint, people, amount):
    with pytest.raises(RefundError, match="above zero"):
        ask(complaint, people["agent"], amount)


def test_a_reason_over_80_characters_is_refused(complaint, people):
    with pytest.raises(RefundError, match="80"):
        ask(complaint, people["agent"], 100, reason="x" * 81)
    assert not Refund.objects.exists()


def test_a_stale_form_is_refused_when_someone_refunded_meanwhile(complaint, people):
    ask(complaint, people["agent"], 1000, seen_refunds=0)
    with pytest.raises(StaleRefundError):
        ask(complaint, people["agent2"], 1000, seen_refunds=0)


def test_above_the_per_refund_limit_it_waits_and_alerts_other_supervisors(complaint, people):
    refund = ask(complaint, people["supervisor"], 6000)
    assert refund.status == Refund.Status.AWAITING_APPROVAL and refund.needs_approval
    alerted = set(
        Alert.objects.filter(kind=Alert.Kind.REFUND_APPROVAL).values_list(
            "user__username", flat=True
        )
    )
    assert alerted == {"supervisor_r2"}  # never the one who asked
    assert AuditEvent.objects.filter(action="refund.approval_requested").exists()


def test_the_daily_limit_counts_the_agents_refunds_of_the_day(merchant, people):
    first = ask(order_complaint(merchant), people["agent"], 5000)
    second = ask(order_complaint(merchant), people["agent"], 4000)
    other_agent = ask(order_complaint(merchant), people["agent2"], 4000)
    assert first.status == Refund.Status.QUEUED
    assert second.status == Refund.Status.AWAITING_APPROVAL  # 9,000 > 8,000 per day
    assert other_agent.status == Refund.Status.QUEUED


def test_a_supervisor_approves_and_the_refund_is_queued(complaint, people):
    refund = ask(complaint, people["agent"], 6000)
    approved = refund_approve(refund_pk=refund.pk, user=people["supervisor"])
    assert approved.status == Refund.Status.QUEUED
    assert approved.decided_by == people["supervisor"]
    assert AuditEvent.objects.filter(
        action="refund.approved", target_id=refund.out_refund_no
    ).exists()
    assert not Alert.objects.filter(kind=Alert.Kind.REFUND_APPROVAL, read_at=None).exists()


def test_nobody_approves_their_own_refund(complaint, people):
    refund = ask(complaint, people["supervisor"], 6000)
    with pytest.raises(RefundError, match="Another supervisor"):
        refund_approve(refund_pk=refund.pk, user=people["supervisor"])


def test_an_agent_cannot_approve(complaint, people):
    refund = ask(complaint, people["agent"], 6000)
    with pytest.raises(RefundError, match="supervisor"):
        refund_approve(refund_pk=refund.pk, user=people["agent2"])


def test_approving_twice_sends_once(complaint, people):
    refund = ask(complaint, people["agent"], 6000)
    refund_approve(refund_pk=refund.pk, user=people["supervisor"])
    with pytest.raises(RefundError, match="no longer waiting"):
        refund_approve(refund_pk=refund.pk, user=people["supervisor2"])


def test_a_declined_refund_gives_its_amount_back(complaint, people):
    refund = ask(complaint, people["agent"], 6000)
    with pytest.raises(RefundError):
        refund_decline(refund_pk=refund.pk, user=people["supervisor"], reason=" ")
    declined = refund_decline(refund_pk=refund.pk, user=people["supervisor"], reason="Not ours")
    assert declined.status == Refund.Status.DECLINED
    assert order_balance(complaint).refundable == 10000
    assert AuditEvent.objects.filter(action="refund.declined").exists()


def test_limits_are_set_by_supervisors_and_audited(merchant, people):
    with pytest.raises(Exception, match="supervisor"):
        limits_set(merchant=merchant, per_refund=1, per_day=1, user=people["agent"])
    limits_set(merchant=merchant, per_refund=100, per_day=200, user=people["supervisor"])
    event = AuditEvent.objects.get(action="refund.limits_changed")
    assert event.changes == {"per_refund": [5000, 100], "per_day": [8000, 200]}


def test_a_refund_request_complaint_is_approved_in_the_same_action(merchant, people):
    complaint = order_complaint(merchant, problem_type="REFUND", apply_refund_amount=3000)
    refund = ask(complaint, people["agent"], 3000, launch_refund_day=0)
    reply = Reply.objects.get(pk=refund.approve_reply_id)
    assert reply.endpoint == "update-refund-progress"
    assert reply.payload == {"action": "APPROVE", "launch_refund_day": 0}
    # A second refund of the same complaint follows the same APPROVE, never a second one.
    second = ask(complaint, people["agent"], 1000)
    assert second.approve_reply_id == reply.pk
    assert Reply.objects.filter(endpoint="update-refund-progress").count() == 1


def test_a_refund_request_waits_for_approval_before_telling_wechat(merchant, people):
    complaint = order_complaint(merchant, problem_type="REFUND")
    refund = ask(complaint, people["agent"], 6000)
    assert refund.approve_reply_id is None
    assert not Reply.objects.exists()  # the consumer is told only once a supervisor approved
    refund_approve(refund_pk=refund.pk, user=people["supervisor"])
    refund.refresh_from_db()
    assert Reply.objects.get(pk=refund.approve_reply_id).payload["action"] == "APPROVE"


@pytest.mark.django_db(transaction=True)
def test_two_agents_refunding_in_full_at_once_make_one_refund(merchant, people):
    complaint = order_complaint(merchant, amount=4000)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def refund_as(user):
        try:
            barrier.wait()
            ask(complaint, user, 4000)
            outcomes.append("made")
        except RefundError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=refund_as, args=(people[n],)) for n in ("agent", "agent2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["made", "refused"]
    assert Refund.objects.filter(complaint=complaint).count() == 1


def test_an_order_wechat_says_is_not_paid_cannot_be_refunded(complaint, people):
    OrderSnapshot.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        status="fresh",
        trade_state="CLOSED",
        trade_state_desc="订单已关闭",
        total=10000,
    )
    with pytest.raises(RefundError, match="订单已关闭"):
        ask(complaint, people["agent"], 1000)
    assert not Refund.objects.exists()


def test_a_refund_alert_stays_until_the_refund_is_decided(complaint, people):
    from automation.services import alerts_clear_resolved

    refund = ask(complaint, people["agent"], 6000)
    complaint.assignee = people["agent"]  # others' alerts on an owned complaint usually clear
    complaint.save(update_fields=["assignee"])
    alerts_clear_resolved(complaint_id=complaint.pk)
    assert Alert.objects.filter(kind=Alert.Kind.REFUND_APPROVAL, read_at=None).count() == 2
    refund_decline(refund_pk=refund.pk, user=people["supervisor"], reason="Not ours")
    assert not Alert.objects.filter(kind=Alert.Kind.REFUND_APPROVAL, read_at=None).exists()
