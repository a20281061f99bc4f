"""One of everything a new team meets, for tests that walk every page as every role.

User data (names, complaint text, messages, template names) is ASCII, so a test can say "no
Han character on an English page" and mean "none of ours". What WeChat Pay sends as codes or
fixed words (operate types, operators such as 投诉人, problem types, states) is as WeChat sends it,
because the console must label those. Alerts are created the way the worker creates them: in
the default language (Chinese), which an English reader must never see.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone, translation

from automation.models import Alert, AutoReplyRule, SupervisorEvent
from automation.services.alerts import alerts_on_arrival
from complaints.models import Complaint, ComplaintImage, HistoryEntry, TimelineEvent
from complaints.services import complaint_assign, complaint_claim, note_add
from console.encryption import encrypt_text
from console.roles import ADMIN, AGENT, SUPERVISOR
from console.services import audit_record, user_set_roles
from merchants.models import Merchant, MerchantAssignment
from merchants.services import merchant_update
from messaging.models import ImageAsset, Reply, ReplyAttempt, ReplyTemplate
from tests.fixtures.users import make_user


def _png() -> bytes:
    """A real 2x2 grey PNG, so screenshots show an image, not a broken one."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80\x80" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
NAMES = {
    "agent_a": "Ada Agent",
    "agent_b": "Bob Agent",
    "supervisor_a": "Sam Supervisor",
    "admin": "Adam Admin",
}
MESSAGE = {
    "blocks": [
        {"type": "TEXT", "text": {"text": "Hello, your refund is on its way."}},
        {
            "type": "FAQ_LIST",
            "faq_list": {
                "faqs": [
                    {
                        "faq_title": "When will it arrive?",
                        "action": {
                            "action_type": "ACTION_TYPE_SEND_MESSAGE",
                            "message_info": {"content": "When will it arrive?"},
                        },
                    }
                ]
            },
        },
        {
            "type": "BUTTON",
            "button": {
                "text": "Track it",
                "action": {
                    "action_type": "ACTION_TYPE_JUMP_URL",
                    "jump_url": "https://example.com/t",
                },
            },
        },
    ]
}


def _user(key: str, role: str):
    user = make_user(f"page_{key}", role)
    user.first_name = NAMES[key]
    user.save(update_fields=["first_name"])
    return user


def _complaint(merchant, complaint_id: str, **fields) -> Complaint:
    now = timezone.now()
    values = {
        "merchant": merchant,
        "complaint_id": complaint_id,
        "complainted_mchid": merchant.mchid,
        "complaint_time": now - timedelta(hours=2),
        "complaint_detail": "Paid but the order never shipped.",
        "problem_description": "Order not shipped",
        "problem_type": "REFUND",
        "apply_refund_amount": 1990,
        "transaction_id": "4200000001202612051234567890",
        "out_trade_no": "OT-1",
        "amount": 19900,
        "user_tag_list": ["TRUSTED"],
        "first_reply_due_at": now + timedelta(hours=22),
        "complete_due_at": now + timedelta(hours=70),
        "payer_phone_encrypted": encrypt_text("13800138000"),
        "payer_phone_last4": "8000",
        "payer_phone_masked": "138****8000",
    }
    values.update(fields)
    return Complaint.objects.create(**values)


def _history(complaint: Complaint) -> None:
    now = timezone.now()
    for n, (operator, kind, details) in enumerate(
        [
            ("投诉人", "USER_CREATE_COMPLAINT", "Paid but the order never shipped."),
            ("系统", "USER_CREATE_COMPLAINT_SYSTEM_MESSAGE", ""),
            ("商户", "MERCHANT_RESPONSE", "We are looking into it."),
            ("投诉人", "USER_RESPONSE", "Please hurry."),
            ("微信支付客服", "PLATFORM_RESPONSE", "Platform note."),
            ("商户", "MERCHANT_APPROVE_REFUND", ""),
        ]
    ):
        HistoryEntry.objects.create(
            complaint=complaint,
            log_id=f"LOG{complaint.pk}{n:03d}",
            operator=operator,
            operate_time=now - timedelta(minutes=60 - n),
            operate_type=kind,
            operate_details=details,
        )


def _reply(complaint, author, endpoint, payload, status, **fields) -> Reply:
    reply = Reply.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        author=author,
        is_automatic=author is None,
        endpoint=endpoint,
        payload={"complainted_mchid": complaint.complainted_mchid, **payload},
        status=status,
        idempotent_id=uuid.uuid4(),
        **fields,
    )
    ReplyAttempt.objects.create(
        reply=reply,
        number=1,
        started_at=timezone.now(),
        duration_ms=120,
        outcome={"delivered": "delivered", "failed": "final"}.get(status, "retryable"),
        http_status=204 if status == "delivered" else 500,
        wechat_code="" if status == "delivered" else "SYSTEM_ERROR",
        request_id="08F5B8C2B506102C18FD-0",
    )
    return reply


def build_world(*, sandbox_url: str = "http://127.0.0.1:9") -> SimpleNamespace:
    merchant_a = Merchant.objects.create(
        mchid="1900000001", name="Shop A", api_base_url=sandbox_url, backup_api_base_url=""
    )
    merchant_b = Merchant.objects.create(
        mchid="1900000002", name="Shop B", api_base_url=sandbox_url, backup_api_base_url=""
    )
    users = {
        "agent_a": _user("agent_a", AGENT),
        "agent_b": _user("agent_b", AGENT),
        "supervisor_a": _user("supervisor_a", SUPERVISOR),
        "admin": _user("admin", ADMIN),
    }
    for key, merchant in [
        ("agent_a", merchant_a),
        ("agent_b", merchant_b),
        ("supervisor_a", merchant_a),
        ("agent_b", merchant_a),
    ]:
        MerchantAssignment.objects.get_or_create(user=users[key], merchant=merchant)
    agent, boss, admin = users["agent_a"], users["supervisor_a"], users["admin"]

    complaint = _complaint(
        merchant_a,
        "200000000000000000000000042",
        complaint_state=Complaint.State.PROCESSING,
        need_immediate_service=True,
        incoming_user_response=True,
    )
    other = _complaint(
        merchant_a,
        "200000000000000000000000043",
        problem_type="SERVICE_NOT_WORK",
        sla_status=Complaint.Sla.AT_RISK,
    )
    _complaint(
        merchant_a,
        "200000000000000000000000044",
        problem_type="OTHERS",
        complaint_state=Complaint.State.PROCESSED,
        sla_status=Complaint.Sla.MET,
    )
    _history(complaint)
    complaint_claim(complaint_pk=complaint.pk, user=agent)
    complaint_assign(complaint_pk=other.pk, assignee_pk=users["agent_b"].pk, by=boss)
    note_add(complaint=complaint, author=agent, text="Called the user, no answer.")
    for kind, data in [
        (TimelineEvent.Kind.STATE_CHANGED, {"from": "PENDING", "to": "PROCESSING"}),
        (TimelineEvent.Kind.SLA_CHANGED, {"from": "on_track", "to": "at_risk"}),
    ]:
        TimelineEvent.objects.create(complaint=complaint, kind=kind, actor=None, data=data)

    reply = _reply(
        complaint,
        agent,
        Reply.Endpoint.RESPONSE,
        {"response_content": "We are on it."},
        "failed",
        error_code="SYSTEM_ERROR",
        error_message="system busy",
    )
    _reply(
        complaint,
        agent,
        Reply.Endpoint.IMMEDIATE,
        {"message": MESSAGE},
        "delivered",
        log_id="300285320221010000000001",
        delivered_at=timezone.now(),
    )
    _reply(
        complaint,
        None,
        Reply.Endpoint.IMMEDIATE,
        {"message": MESSAGE},
        "delivered",
        delivered_at=timezone.now(),
    )
    _reply(
        complaint,
        agent,
        Reply.Endpoint.REFUND,
        {"action": "APPROVE", "launch_refund_day": 3},
        "delivered",
        delivered_at=timezone.now(),
    )
    _reply(
        other,
        boss,
        Reply.Endpoint.REFUND,
        {"action": "REJECT", "reject_reason": "Already shipped"},
        "queued",
    )
    _reply(other, boss, Reply.Endpoint.COMPLETE, {}, "retrying")

    template = ReplyTemplate.objects.create(
        merchant=merchant_a, name="Hello", blocks=MESSAGE["blocks"]
    )
    rule = AutoReplyRule.objects.create(
        merchant=merchant_a, name="Night rule", template=template, enabled=True
    )
    with translation.override("zh-hans"):  # as the worker does
        alerts_on_arrival(complaint=complaint, created=True)
        Alert.objects.create(
            user=agent,
            kind=Alert.Kind.USER_MESSAGE,
            complaint=complaint,
            key="LOG-u",
            text="用户有新留言：Please hurry.",
        )
    alert = Alert.objects.filter(user=agent).first()
    for kind in SupervisorEvent.Kind.values:
        SupervisorEvent.objects.create(
            merchant=merchant_a,
            kind=kind,
            complaint=other,
            reply=reply,
            due_at=timezone.now(),
            key=f"{kind}:1",
        )

    user_set_roles(user=users["agent_b"], roles=[AGENT], by=admin)
    merchant_update(merchant=merchant_b, by=admin, active=False)
    audit_record(
        action="merchant.connection_tested",
        actor=admin,
        target_type="merchant",
        target_id=merchant_a.pk,
        changes={"ok": True, "code": "", "request_id": ""},
    )
    return SimpleNamespace(
        merchant_a=merchant_a,
        merchant_b=merchant_b,
        users=users,
        complaint=complaint,
        complaint_image=ComplaintImage.objects.create(
            complaint=complaint,
            url="https://api.mch.weixin.qq.com/v3/merchant-service/images/A",
            url_hash="a" * 64,
            content=PNG,
            content_type="image/png",
            fetched_at=timezone.now(),
            fetch_status=ComplaintImage.FetchStatus.FETCHED,
        ),
        template=template,
        reply=reply,
        rule=rule,
        alert=alert,
        image_asset=ImageAsset.objects.create(
            merchant=merchant_a,
            sha256="b" * 64,
            filename="a.png",
            content_type="image/png",
            size=len(PNG),
            data=PNG,
            media_id="MEDIA-A",
        ),
    )
