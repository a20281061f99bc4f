"""Matching a rule against a complaint, and the reply it builds."""

from __future__ import annotations

import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from automation.models import AutoReplyRule
from automation.services import rule_matches, rule_reply_for
from automation.services.rules import rule_content_errors, within_working_hours
from messaging.models import Reply
from tests.automation.conftest import make_complaint, make_rule, make_template

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, day: int = 2) -> datetime.datetime:
    """A moment in Shanghai on Monday 2026-03-02 (+day-2)."""
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def test_a_rule_without_conditions_matches_every_complaint_of_its_merchant(merchant):
    rule = make_rule(merchant)

    assert rule_matches(rule, make_complaint(merchant))


def test_a_rule_never_matches_another_merchants_complaint(merchant, other_merchant):
    rule = make_rule(merchant)

    assert not rule_matches(rule, make_complaint(other_merchant))


@pytest.mark.parametrize(
    ("flag", "immediate", "expected"),
    [("yes", True, True), ("yes", False, False), ("no", False, True), ("no", True, False)],
)
def test_immediate_service_condition(merchant, flag, immediate, expected):
    rule = make_rule(merchant, immediate=flag)

    assert (
        rule_matches(rule, make_complaint(merchant, need_immediate_service=immediate)) is expected
    )


def test_problem_type_condition(merchant):
    rule = make_rule(merchant, problem_types=["REFUND", "SERVICE_NOT_WORK"])

    assert rule_matches(rule, make_complaint(merchant, problem_type="SERVICE_NOT_WORK"))
    assert not rule_matches(rule, make_complaint(merchant, problem_type="OTHERS"))


def test_refund_condition_counts_a_refund_amount_as_a_request(merchant):
    rule = make_rule(merchant, refund="yes")

    assert rule_matches(rule, make_complaint(merchant, problem_type="REFUND"))
    assert rule_matches(rule, make_complaint(merchant, apply_refund_amount=100))
    assert not rule_matches(rule, make_complaint(merchant))


def test_keywords_match_any_one_in_detail_or_problem_ignoring_case(merchant):
    rule = make_rule(merchant, keywords="退款，Refund\n扣费")

    assert rule_matches(rule, make_complaint(merchant, complaint_detail="请立即退款"))
    assert rule_matches(rule, make_complaint(merchant, problem_description="want a REFUND"))
    assert not rule_matches(rule, make_complaint(merchant, complaint_detail="没有发货"))


def test_working_hours_are_judged_in_shanghai_time_on_working_days(merchant):
    rule = make_rule(merchant, hours="inside")  # 09:00-18:00 Mon-Fri by default

    assert within_working_hours(rule, at(9, 0))
    assert not within_working_hours(rule, at(18, 0))
    assert not within_working_hours(rule, at(8, 59))
    assert not within_working_hours(rule, at(10, 0, day=7))  # Saturday
    assert within_working_hours(rule, at(1, 0).astimezone(datetime.UTC) + timedelta(hours=9))


def test_an_overnight_shift_belongs_to_the_day_it_started(merchant):
    rule = make_rule(
        merchant, work_start=datetime.time(22), work_end=datetime.time(6), work_days=[4]
    )  # Friday night shift

    assert within_working_hours(rule, at(23, day=6))  # Friday 23:00
    assert within_working_hours(rule, at(5, day=7))  # Saturday 05:00, still Friday's shift
    assert not within_working_hours(rule, at(23, day=7))  # Saturday 23:00


def test_outside_hours_rule_matches_a_night_complaint_only(merchant):
    rule = make_rule(merchant, hours="outside")

    assert rule_matches(rule, make_complaint(merchant, complaint_time=at(23)))
    assert not rule_matches(rule, make_complaint(merchant, complaint_time=at(11)))


def test_immediate_complaint_gets_a_machine_message_with_variables_filled(merchant):
    rule = make_rule(merchant)
    complaint = make_complaint(merchant, need_immediate_service=True, out_trade_no="ORD-9")

    reply = rule_reply_for(rule, complaint)

    assert reply.endpoint == Reply.Endpoint.IMMEDIATE
    message = reply.payload["message"]
    assert message["sender_identity"] == "MACHINE"
    assert complaint.complaint_id in message["blocks"][0]["text"]["text"]
    assert "ORD-9" in message["blocks"][1]["text"]["text"]
    assert reply.payload["complainted_mchid"] == merchant.mchid


def test_other_complaints_get_the_plain_text_or_the_templates_text_blocks(merchant):
    complaint = make_complaint(merchant)
    plain = make_rule(merchant, response_text="已收到 {{ complaint_id }}")
    from_template = make_rule(merchant)

    assert rule_reply_for(plain, complaint).payload == {
        "complainted_mchid": merchant.mchid,
        "response_content": f"已收到 {complaint.complaint_id}",
    }
    text = rule_reply_for(from_template, complaint).payload["response_content"]
    assert text.startswith(f"您好，我们已收到投诉 {complaint.complaint_id}")
    assert rule_reply_for(from_template, complaint).endpoint == Reply.Endpoint.RESPONSE


def test_a_rule_whose_template_has_no_text_needs_plain_text(merchant):
    image_only = make_template(
        merchant, "image", blocks=[{"type": "IMAGE", "image": {"media_id": "m1"}}]
    )

    errors = rule_content_errors(template=image_only, response_text="", immediate="any")

    assert [field for field, _message in errors] == ["response_text"]
    assert rule_content_errors(template=image_only, response_text="", immediate="yes") == []


def test_new_rules_are_off_by_default():
    assert AutoReplyRule._meta.get_field("enabled").default is False
