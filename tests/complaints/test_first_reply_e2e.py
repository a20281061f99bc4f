"""Against the sandbox over real HTTP: an automatic acknowledgement delivered by the console is
not the first reply; a reply typed on WeChat's merchant platform (no console row) is."""

from __future__ import annotations

import uuid

import pytest

from complaints.models import Complaint, HistoryEntry
from complaints.services import complaint_refresh
from merchants.services import wechatpay_client
from messaging.models import Reply
from messaging.services.delivery import reply_deliver
from messaging.services.replies import reply_submit

pytestmark = pytest.mark.django_db
ACK = {
    "blocks": [{"type": "TEXT", "text": {"text": "您好，我们已收到投诉，客服正在处理。"}}],
    "sender_identity": "MACHINE",
}


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False


def acknowledge(complaint: Complaint) -> Reply:
    """What an auto-reply rule does: an automatic reply, delivered (here in this process)."""
    reply = reply_submit(
        complaint=complaint,
        author=None,
        endpoint=Reply.Endpoint.IMMEDIATE,
        payload={"complainted_mchid": complaint.complainted_mchid, "message": ACK},
        idempotent_id=uuid.uuid4(),
        is_automatic=True,
    )
    reply_deliver(reply_id=reply.pk)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.DELIVERED and reply.log_id
    return reply


def test_an_acknowledgement_then_a_reply_on_wechats_platform(sandbox, wired):
    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1, need_immediate_service=True)
    complaint = complaint_refresh(merchant=wired, complaint_id=complaint_id)
    ack = acknowledge(complaint)

    complaint_refresh(merchant=wired, complaint_id=complaint_id)  # the next notification or sync

    complaint.refresh_from_db()
    assert complaint.complaint_state == Complaint.State.PROCESSING
    assert complaint.first_replied_at is None
    assert HistoryEntry.objects.filter(complaint=complaint, log_id=ack.log_id).exists()

    # A colleague answers on WeChat's merchant platform: straight to WeChat, no Reply row.
    wechatpay_client(wired).respond(
        complaint_id, complainted_mchid=wired.mchid, response_content="您好，已为您安排退款。"
    )
    complaint_refresh(merchant=wired, complaint_id=complaint_id)

    human = HistoryEntry.objects.filter(complaint=complaint, operate_type="MERCHANT_RESPONSE")
    human = human.exclude(log_id=ack.log_id).get()
    complaint.refresh_from_db()
    assert complaint.first_replied_at == human.operate_time
