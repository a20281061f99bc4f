"""first_replied_at is the first *human* reply: the console's automatic acknowledgements (and
the PROCESSING state they cause) never count; replies made on WeChat's merchant platform do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from complaints.models import Complaint
from complaints.services import complaint_ingest
from messaging.models import Reply
from messaging.services.replies import reply_mark_delivered
from tests.complaints.conftest import wechat_complaint, wechat_history

pytestmark = pytest.mark.django_db
ACK_LOG_ID = "300285320260301100500000001"
HUMAN_LOG_ID = "300285320260301130000000002"
MACHINE_MESSAGE = {
    "blocks": [{"type": "TEXT", "text": {"text": "您好，我们已收到投诉"}}],
    "sender_identity": "MACHINE",
}


def pending_complaint(merchant, **overrides):
    data = wechat_complaint(need_immediate_service=True, **overrides)
    return data, complaint_ingest(merchant=merchant, data=data)


def automatic_reply(complaint, *, log_id=ACK_LOG_ID, status=Reply.Status.DELIVERED) -> Reply:
    return Reply.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        is_automatic=True,
        endpoint=Reply.Endpoint.IMMEDIATE,
        payload={"complainted_mchid": complaint.complainted_mchid, "message": MACHINE_MESSAGE},
        status=status,
        log_id=log_id,
    )


def processing(data):
    return data.model_copy(update={"complaint_state": "PROCESSING"})


def ack_entry(**overrides):
    values = {
        "operator": "商户",
        "operate_time": "2026-03-01T10:05:00+08:00",
        "normal_message": MACHINE_MESSAGE,
    }
    values.update(overrides)
    return wechat_history(ACK_LOG_ID, "MERCHANT_RESPONSE", **values)


def test_an_acknowledgement_in_the_history_is_not_the_first_reply(merchant):
    two_hours_ago = timezone.localtime() - timedelta(hours=2)
    data, complaint = pending_complaint(merchant, complaint_time=two_hours_ago.isoformat())
    automatic_reply(complaint)

    complaint_ingest(merchant=merchant, data=processing(data), history=[ack_entry()])

    complaint.refresh_from_db()
    assert complaint.complaint_state == Complaint.State.PROCESSING
    assert complaint.first_replied_at is None
    # The one-hour first-reply deadline still counts (completion is 70 hours away).
    assert complaint.sla_status == Complaint.Sla.OVERDUE


def test_an_acknowledgement_known_by_log_id_only_is_not_the_first_reply(merchant):
    """A /response acknowledgement has no sender_identity: its log_id tells."""
    data, complaint = pending_complaint(merchant)
    automatic_reply(complaint)
    entry = ack_entry(normal_message=None, operate_details="您好，我们已收到投诉")

    complaint_ingest(merchant=merchant, data=processing(data), history=[entry])

    complaint.refresh_from_db()
    assert complaint.first_replied_at is None


def test_processing_reached_through_an_acknowledgement_alone_is_not_a_first_reply(merchant):
    data, complaint = pending_complaint(merchant)
    automatic_reply(complaint)

    complaint_ingest(merchant=merchant, data=processing(data))

    complaint.refresh_from_db()
    assert complaint.first_replied_at is None


def test_a_bot_message_read_before_its_log_id_was_recorded_is_not_the_first_reply(merchant):
    """The sync may read the history while the acknowledgement's delivery is still recording."""
    data, complaint = pending_complaint(merchant)
    automatic_reply(complaint, log_id="", status=Reply.Status.SENDING)

    complaint_ingest(merchant=merchant, data=processing(data), history=[ack_entry()])

    complaint.refresh_from_db()
    assert complaint.first_replied_at is None


def test_a_reply_made_on_wechats_merchant_platform_after_an_acknowledgement_counts(merchant):
    data, complaint = pending_complaint(merchant)
    automatic_reply(complaint)
    human = wechat_history(
        HUMAN_LOG_ID,
        "MERCHANT_RESPONSE",
        operator="商户",
        operate_time="2026-03-01T13:00:00+08:00",
        operate_details="您好，已为您安排退款",
    )

    complaint_ingest(merchant=merchant, data=processing(data), history=[ack_entry(), human])

    complaint.refresh_from_db()
    assert complaint.first_replied_at == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)


def test_processing_without_any_console_reply_still_counts_as_replied(merchant):
    """Replied on WeChat's merchant platform, history not read yet: it was replied to."""
    data, complaint = pending_complaint(merchant)

    complaint_ingest(merchant=merchant, data=processing(data))

    complaint.refresh_from_db()
    assert complaint.first_replied_at is not None


def test_a_failed_acknowledgement_does_not_explain_processing(merchant):
    data, complaint = pending_complaint(merchant)
    automatic_reply(complaint, log_id="", status=Reply.Status.FAILED)

    complaint_ingest(merchant=merchant, data=processing(data))

    complaint.refresh_from_db()
    assert complaint.first_replied_at is not None


def plain_ack_entry(**overrides):
    """A /response acknowledgement in the history: no NormalMessage, so nothing says 'bot'."""
    return ack_entry(normal_message=None, operate_details="您好，我们已收到投诉", **overrides)


def plain_automatic_reply(complaint, *, status=Reply.Status.SENDING) -> Reply:
    reply = automatic_reply(complaint, log_id="", status=status)
    reply.endpoint = Reply.Endpoint.RESPONSE
    reply.save(update_fields=["endpoint"])
    return reply


@pytest.mark.parametrize("status", [Reply.Status.SENDING, Reply.Status.DELIVERED])
def test_a_plain_acknowledgement_read_before_its_log_id_stops_counting_once_it_is_known(
    merchant, status
):
    """/response answers 204; its log_id is looked up afterwards. A history read in between
    cannot tell the acknowledgement from a person's reply, so the log_id corrects it."""
    two_hours_ago = timezone.localtime() - timedelta(hours=2)
    data, complaint = pending_complaint(merchant, complaint_time=two_hours_ago.isoformat())
    reply = plain_automatic_reply(complaint, status=status)
    complaint_ingest(merchant=merchant, data=processing(data), history=[plain_ack_entry()])
    complaint.refresh_from_db()
    assert complaint.first_replied_at is not None  # unrecognisable until the log_id is known

    reply_mark_delivered(reply=reply, log_id=ACK_LOG_ID)

    complaint.refresh_from_db()
    assert complaint.first_replied_at is None
    assert complaint.sla_status == Complaint.Sla.OVERDUE  # the one-hour target still counts


def test_a_corrected_acknowledgement_leaves_the_human_reply_that_followed_it(merchant):
    data, complaint = pending_complaint(merchant)
    reply = plain_automatic_reply(complaint)
    human = wechat_history(
        HUMAN_LOG_ID, "MERCHANT_RESPONSE", operator="商户",
        operate_time="2026-03-01T13:00:00+08:00", operate_details="您好，已为您安排退款",
    )  # fmt: skip
    history = [plain_ack_entry(), human]
    complaint_ingest(merchant=merchant, data=processing(data), history=history)

    reply_mark_delivered(reply=reply, log_id=ACK_LOG_ID)

    complaint.refresh_from_db()
    assert complaint.first_replied_at == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)


def test_a_human_first_reply_is_not_touched_when_an_acknowledgement_is_recorded(merchant):
    data, complaint = pending_complaint(merchant)
    human = wechat_history(
        HUMAN_LOG_ID, "MERCHANT_RESPONSE", operator="商户",
        operate_time="2026-03-01T09:00:00+08:00", operate_details="您好",
    )  # fmt: skip
    complaint_ingest(merchant=merchant, data=processing(data), history=[human])
    reply = plain_automatic_reply(complaint)
    complaint_ingest(merchant=merchant, data=processing(data), history=[plain_ack_entry()])

    reply_mark_delivered(reply=reply, log_id=ACK_LOG_ID)

    complaint.refresh_from_db()
    assert complaint.first_replied_at == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
