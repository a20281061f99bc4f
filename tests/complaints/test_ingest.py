"""complaint_ingest / history_ingest: WeChat's objects become typed rows, idempotently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from complaints.models import Complaint, ComplaintImage, HistoryEntry, TimelineEvent
from complaints.services import complaint_ingest, history_ingest, mask_phone
from tests.complaints.conftest import wechat_complaint, wechat_history

pytestmark = pytest.mark.django_db
CREATED = datetime(2026, 3, 1, 2, 0, 0, 120000, tzinfo=UTC)  # 10:00:00.120 +08:00


def test_every_field_is_stored_typed(merchant):
    data = wechat_complaint(
        problem_type="REFUND",
        apply_refund_amount=3000,
        in_platform_service=True,
        is_agent_mode=True,
        additional_info={"type": "SHARE_POWER_TYPE", "share_power_info": {"return_time": "x"}},
        service_order_info=[{"order_id": "S1", "out_order_no": "SO1", "state": "DOING"}],
    )

    complaint = complaint_ingest(merchant=merchant, data=data)
    complaint.refresh_from_db()

    assert complaint.complaint_time == CREATED
    assert complaint.problem_type == "REFUND"
    assert complaint.apply_refund_amount == 3000
    assert complaint.in_platform_service and complaint.is_agent_mode
    assert complaint.transaction_id == "4200000001202603011234567890"
    assert complaint.out_trade_no == "OT1"
    assert complaint.amount == 19900
    assert complaint.user_tag_list == ["TRUSTED"]
    assert complaint.service_order_info[0]["state"] == "DOING"
    assert complaint.additional_info["type"] == "SHARE_POWER_TYPE"
    assert ComplaintImage.objects.filter(complaint=complaint).count() == 1


def test_deadlines_are_24_and_72_hours_after_creation(merchant):
    complaint = complaint_ingest(merchant=merchant, data=wechat_complaint())

    assert complaint.first_reply_due_at == CREATED + timedelta(hours=24)
    assert complaint.complete_due_at == CREATED + timedelta(hours=72)


@override_settings(COMPLAINTS_IMMEDIATE_FIRST_REPLY_MINUTES=30)
def test_immediate_service_complaints_get_the_shorter_configured_target(merchant):
    data = wechat_complaint(need_immediate_service=True)

    complaint = complaint_ingest(merchant=merchant, data=data)

    assert complaint.first_reply_due_at == CREATED + timedelta(minutes=30)


def test_ingesting_the_same_object_twice_changes_nothing(merchant):
    data = wechat_complaint()
    complaint_ingest(merchant=merchant, data=data)
    before = Complaint.objects.values().get()

    complaint_ingest(merchant=merchant, data=data)

    assert Complaint.objects.values().get() == before


def test_a_state_change_is_recorded_in_the_timeline(merchant):
    data = wechat_complaint()
    complaint = complaint_ingest(merchant=merchant, data=data)

    complaint_ingest(
        merchant=merchant, data=data.model_copy(update={"complaint_state": "PROCESSING"})
    )

    event = TimelineEvent.objects.get(complaint=complaint)
    assert event.kind == "state_changed"
    assert event.data == {"from": "PENDING", "to": "PROCESSING"}
    complaint.refresh_from_db()
    assert complaint.first_replied_at is not None


def test_history_is_stored_once_per_log_id(merchant):
    complaint = complaint_ingest(merchant=merchant, data=wechat_complaint())
    entries = [wechat_history("L1"), wechat_history("L2", "MERCHANT_RESPONSE")]

    assert history_ingest(complaint=complaint, entries=entries) == 2
    assert history_ingest(complaint=complaint, entries=entries) == 0
    assert HistoryEntry.objects.filter(complaint=complaint).count() == 2


def test_a_user_message_bumps_the_activity_version(merchant):
    complaint = complaint_ingest(merchant=merchant, data=wechat_complaint())
    version = complaint.activity_version

    history_ingest(complaint=complaint, entries=[wechat_history("L1", "USER_RESPONSE")])

    complaint.refresh_from_db()
    assert complaint.activity_version == version + 1


def test_a_system_message_does_not_bump_the_activity_version(merchant):
    complaint = complaint_ingest(merchant=merchant, data=wechat_complaint())

    history_ingest(
        complaint=complaint,
        entries=[wechat_history("L1", "COMPLAINT_FULL_REFUNDED_SYSTEM_MESSAGE")],
    )

    complaint.refresh_from_db()
    assert complaint.activity_version == 0


def test_normal_message_and_click_message_are_kept_as_json(merchant):
    complaint = complaint_ingest(merchant=merchant, data=wechat_complaint())
    message = {"blocks": [{"type": "TEXT", "text": {"text": "您好"}}], "sender_identity": "MANUAL"}
    click = {"message_content": "已解决", "action_id": "a1", "clicked_log_id": "L1"}

    history_ingest(
        complaint=complaint,
        entries=[
            wechat_history("L1", "MERCHANT_RESPONSE", normal_message=message),
            wechat_history("L2", "USER_CLICK_RESPONSE", click_message=click),
        ],
    )

    stored = {e.log_id: e for e in HistoryEntry.objects.filter(complaint=complaint)}
    assert stored["L1"].normal_message == message
    assert stored["L2"].click_message == click


def test_history_media_are_recorded_as_console_served_images(merchant):
    complaint = complaint_ingest(merchant=merchant, data=wechat_complaint())
    media = {
        "media_type": "OPERATION_IMAGE",
        "media_url": ["https://api.mch.weixin.qq.com/v3/merchant-service/images/B2"],
    }

    history_ingest(complaint=complaint, entries=[wechat_history("L9", complaint_media_list=media)])

    assert ComplaintImage.objects.filter(complaint=complaint, history_log_id="L9").count() == 1


@pytest.mark.parametrize(
    ("phone", "masked"), [("13800138000", "138****8000"), ("8613800138000", "861******8000")]
)
def test_phone_numbers_are_masked(phone, masked):
    assert mask_phone(phone) == masked


def test_the_first_reply_time_comes_from_the_history(merchant):
    data = wechat_complaint(complaint_state="PROCESSING")
    reply = wechat_history(
        "L1", "MERCHANT_RESPONSE", operator="商户", operate_time="2026-03-01T12:00:00+08:00"
    )

    complaint = complaint_ingest(merchant=merchant, data=data, history=[reply])

    complaint.refresh_from_db()
    assert complaint.first_replied_at == CREATED + timedelta(hours=2) - timedelta(
        microseconds=120000
    )
