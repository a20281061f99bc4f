"""Complaints arriving through ingestion: automatic acknowledgements, once, and dry runs."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from automation.models import AutoReply
from automation.services import auto_reply_idempotent_id, rule_dry_run
from complaints.models import TimelineEvent
from complaints.services import complaint_ingest
from messaging.models import Reply
from tests.automation.conftest import make_complaint, make_rule, make_template, wechat_complaint

pytestmark = pytest.mark.django_db


def test_a_matching_immediate_complaint_gets_one_automatic_machine_reply(merchant):
    rule = make_rule(merchant, immediate="yes")

    complaint = complaint_ingest(
        merchant=merchant, data=wechat_complaint(merchant.mchid, need_immediate_service=True)
    )

    (reply,) = Reply.objects.filter(complaint=complaint)
    assert reply.is_automatic and reply.author is None
    assert reply.endpoint == Reply.Endpoint.IMMEDIATE
    assert reply.payload["message"]["sender_identity"] == "MACHINE"
    assert reply.idempotent_id == auto_reply_idempotent_id(rule, complaint)
    assert reply.payload["idempotent_id"] == str(reply.idempotent_id)
    assert AutoReply.objects.get(complaint=complaint).reply == reply
    queued = TimelineEvent.objects.get(complaint=complaint, kind=TimelineEvent.Kind.REPLY_QUEUED)
    assert queued.data["is_automatic"] is True


def test_a_non_matching_complaint_gets_nothing(merchant):
    make_rule(merchant, immediate="yes", keywords="退款")

    complaint = complaint_ingest(merchant=merchant, data=wechat_complaint(merchant.mchid))

    assert not Reply.objects.filter(complaint=complaint).exists()
    assert not AutoReply.objects.filter(complaint=complaint).exists()


def test_a_switched_off_rule_sends_nothing(merchant):
    make_rule(merchant, enabled=False)

    complaint = complaint_ingest(merchant=merchant, data=wechat_complaint(merchant.mchid))

    assert not Reply.objects.filter(complaint=complaint).exists()


def test_a_plain_reply_goes_to_complaints_without_immediate_service(merchant):
    make_rule(merchant, response_text="已收到您的投诉，我们会尽快处理。")

    complaint = complaint_ingest(merchant=merchant, data=wechat_complaint(merchant.mchid))

    (reply,) = Reply.objects.filter(complaint=complaint)
    assert reply.endpoint == Reply.Endpoint.RESPONSE
    assert reply.payload["response_content"] == "已收到您的投诉，我们会尽快处理。"
    assert reply.is_automatic


def test_the_same_complaint_seen_again_is_not_answered_twice(merchant):
    make_rule(merchant)
    data = wechat_complaint(merchant.mchid)
    complaint = complaint_ingest(merchant=merchant, data=data)

    # Redelivered notification and a sync with a changed field: ingested twice more.
    complaint_ingest(merchant=merchant, data=data)
    changed = data.model_copy(update={"user_complaint_times": 2})
    complaint_ingest(merchant=merchant, data=changed)

    assert Reply.objects.filter(complaint=complaint).count() == 1


def test_only_the_first_matching_rule_by_priority_answers(merchant):
    make_rule(merchant, name="late", priority=20)
    first = make_rule(merchant, name="first", priority=10)

    complaint = complaint_ingest(merchant=merchant, data=wechat_complaint(merchant.mchid))

    assert list(AutoReply.objects.filter(complaint=complaint).values_list("rule", flat=True)) == [
        first.pk
    ]
    assert Reply.objects.filter(complaint=complaint).count() == 1


def test_a_complaint_older_than_the_rule_is_left_to_the_agents(merchant):
    make_rule(merchant, enabled_at=timezone.now())
    old = (timezone.localtime() - timedelta(days=2)).isoformat()

    complaint = complaint_ingest(
        merchant=merchant, data=wechat_complaint(merchant.mchid, complaint_time=old)
    )

    assert not Reply.objects.filter(complaint=complaint).exists()


def test_an_answered_complaint_is_not_acknowledged(merchant):
    make_rule(merchant)

    complaint = complaint_ingest(
        merchant=merchant, data=wechat_complaint(merchant.mchid, complaint_state="PROCESSING")
    )

    assert not Reply.objects.filter(complaint=complaint).exists()


def test_an_unsendable_rule_reply_is_recorded_not_sent_and_ingestion_goes_on(merchant):
    template = make_template(merchant, "long", blocks=[{"type": "TEXT", "text": {"text": "x"}}])
    make_rule(merchant, template=template, response_text="{{ problem }}" + "长" * 490)

    complaint = complaint_ingest(
        merchant=merchant,
        data=wechat_complaint(merchant.mchid, problem_description="问题" * 20),
    )

    assert complaint.pk is not None
    fired = AutoReply.objects.get(complaint=complaint)
    assert fired.outcome == AutoReply.Outcome.SKIPPED and fired.reply is None
    assert "500" in fired.error
    assert not Reply.objects.filter(complaint=complaint).exists()


def test_an_unsendable_rule_falls_through_to_the_next_matching_rule(merchant):
    template = make_template(merchant, "long", blocks=[{"type": "TEXT", "text": {"text": "x"}}])
    unsendable = make_rule(
        merchant, name="too long", priority=10, template=template,
        response_text="{{ problem }}" + "长" * 490,
    )  # fmt: skip
    fallback = make_rule(merchant, name="short", priority=20, response_text="已收到您的投诉。")

    complaint = complaint_ingest(
        merchant=merchant,
        data=wechat_complaint(merchant.mchid, problem_description="问题" * 20),
    )

    outcomes = dict(AutoReply.objects.filter(complaint=complaint).values_list("rule", "outcome"))
    assert outcomes == {
        unsendable.pk: AutoReply.Outcome.SKIPPED,
        fallback.pk: AutoReply.Outcome.SUBMITTED,
    }
    (reply,) = Reply.objects.filter(complaint=complaint)
    assert reply.payload["response_content"] == "已收到您的投诉。"
    assert reply.idempotent_id == auto_reply_idempotent_id(fallback, complaint)

    complaint_ingest(merchant=merchant, data=wechat_complaint(
        merchant.mchid, complaint_id=complaint.complaint_id, user_complaint_times=2,
        problem_description="问题" * 20,
    ))  # fmt: skip
    assert Reply.objects.filter(complaint=complaint).count() == 1


def test_dry_run_lists_exactly_the_past_complaints_the_rule_would_have_matched(
    merchant, other_merchant
):
    rule = make_rule(merchant, enabled=False, immediate="yes", keywords="退款")
    now = timezone.now()
    hits = [
        make_complaint(
            merchant,
            need_immediate_service=True,
            complaint_detail="要求退款",
            complaint_time=now - timedelta(days=n),
        )
        for n in (1, 3, 10)
    ]
    make_complaint(merchant, need_immediate_service=False, complaint_detail="要求退款")
    make_complaint(merchant, need_immediate_service=True, complaint_detail="没发货")
    make_complaint(other_merchant, need_immediate_service=True, complaint_detail="要求退款")
    make_complaint(
        merchant,
        need_immediate_service=True,
        complaint_detail="要求退款",
        complaint_time=now - timedelta(days=40),
    )

    result = rule_dry_run(rule=rule, now=now)

    assert [c.pk for c in result.matched] == [c.pk for c in hits]
    assert not Reply.objects.exists()


def test_the_automatic_idempotent_id_is_stable_per_rule_and_complaint(merchant):
    rule, other = make_rule(merchant), make_rule(merchant)
    complaint = make_complaint(merchant)

    assert auto_reply_idempotent_id(rule, complaint) == auto_reply_idempotent_id(rule, complaint)
    assert auto_reply_idempotent_id(rule, complaint) != auto_reply_idempotent_id(other, complaint)
    assert isinstance(auto_reply_idempotent_id(rule, complaint), uuid.UUID)
