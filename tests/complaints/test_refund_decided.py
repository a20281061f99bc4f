"""A refund is decided once (spec §3.7): once WeChat Pay confirmed the decision, its form does not
come back, a second decision is refused, and a rejection closes the complaint as WeChat does."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction
from django.urls import reverse

from complaints.models import Complaint, TimelineEvent
from messaging.models import Reply
from messaging.services.replies import reply_mark_delivered
from tests.complaints.conftest import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, working_agent):
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")
    return client


def decide(client, complaint, **fields):
    form = {"idempotent_id": str(uuid.uuid4()), "confirm": "on", **fields}
    return client.post(reverse("complaints:refund", args=[complaint.pk]), form)


def deliver_the_decision() -> None:
    reply = Reply.objects.get(endpoint="update-refund-progress")
    with transaction.atomic():
        reply.status = Reply.Status.SENDING
        reply.save(update_fields=["status"])
        reply_mark_delivered(reply=reply, log_id="LOG-REFUND-1")


def test_an_approved_refund_confirmed_by_wechat_shows_no_refund_form_again(logged_in, merchant):
    complaint = make_complaint(merchant, problem_type="REFUND")
    decide(logged_in, complaint, action="APPROVE", launch_refund_day="3")
    deliver_the_decision()

    page = logged_in.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()

    assert 'data-testid="refund-form"' not in page
    assert 'data-testid="refund-pending"' not in page


def test_a_second_refund_decision_is_refused_with_a_message(logged_in, merchant):
    complaint = make_complaint(merchant, problem_type="REFUND")
    decide(logged_in, complaint, action="APPROVE")
    deliver_the_decision()

    answer = decide(logged_in, complaint, action="REJECT", reject_reason="已发货")

    assert answer.status_code == 400
    assert "微信支付已收到此投诉单的退款审批结果。" in answer.content.decode()
    assert Reply.objects.filter(endpoint="update-refund-progress").count() == 1


def test_a_delivered_refund_rejection_marks_the_complaint_processed(logged_in, merchant):
    complaint = make_complaint(merchant, problem_type="REFUND")
    decide(logged_in, complaint, action="REJECT", reject_reason="商品已正常使用")
    deliver_the_decision()

    complaint.refresh_from_db()
    assert complaint.complaint_state == Complaint.State.PROCESSED
    assert complaint.completed_at is not None
    changed = TimelineEvent.objects.get(complaint=complaint, kind=TimelineEvent.Kind.STATE_CHANGED)
    assert changed.data["to"] == Complaint.State.PROCESSED


def test_a_delivered_refund_approval_leaves_the_complaint_open(logged_in, merchant):
    complaint = make_complaint(merchant, problem_type="REFUND")
    decide(logged_in, complaint, action="APPROVE")
    deliver_the_decision()

    complaint.refresh_from_db()
    assert complaint.complaint_state != Complaint.State.PROCESSED
