"""Rows for tests/test_merchant_isolation.py: one merchant with a row of every kind (complaint,
history, note, template, reply and attempt, draft, rule, alert, supervisor events, images,
refund, order snapshot, audit events), each carrying a tag in its text so a leak is findable."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from automation.models import Alert, AutoReplyRule, SupervisorEvent
from complaints.models import Complaint, ComplaintImage, HistoryEntry, TimelineEvent
from console.encryption import encrypt_text
from console.services import audit_record
from merchants.models import Merchant, MerchantAssignment
from messaging.models import Draft, ImageAsset, Reply, ReplyAttempt, ReplyTemplate
from refunds.models import OrderSnapshot, Refund, RefundAttempt

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def seed_merchant(mchid: str, tag: str, agent, supervisor) -> SimpleNamespace:
    """One merchant with a row of every kind, each carrying `tag` in its text."""
    merchant = Merchant.objects.create(
        mchid=mchid,
        name=f"{tag} shop",
        api_base_url="http://127.0.0.1:9",
        backup_api_base_url="",
    )
    for user in (agent, supervisor):
        MerchantAssignment.objects.create(user=user, merchant=merchant)
    now = timezone.now()
    digits = "98765432100000000000001" if tag == "ALPHALEAK" else "12312312300000000000002"
    phone = "13812345678" if tag == "ALPHALEAK" else "13900001111"
    complaint = Complaint.objects.create(
        merchant=merchant,
        complaint_id=f"2002{digits}",
        complainted_mchid=mchid,
        complaint_time=now - timedelta(hours=30),
        complaint_detail=f"{tag} complaint text",
        problem_description=f"{tag} problem",
        transaction_id=f"4200{tag}",
        out_trade_no=f"{tag}-order",
        payer_openid=f"{tag}-openid",
        payer_phone_encrypted=encrypt_text(phone),
        payer_phone_last4=phone[-4:],
        payer_phone_masked=f"{phone[:3]}****{phone[-4:]}",
        need_immediate_service=True,
        assignee=agent,
        first_reply_due_at=now - timedelta(hours=1),
        complete_due_at=now + timedelta(hours=1),
    )
    HistoryEntry.objects.create(
        complaint=complaint,
        log_id=f"{tag}-log",
        operator=f"{tag} operator",
        operate_time=now,
        operate_type="USER_RESPONSE",
        operate_details=f"{tag} user message",
    )
    TimelineEvent.objects.create(
        complaint=complaint, kind=TimelineEvent.Kind.NOTE, actor=agent, data={"text": f"{tag} note"}
    )
    template = ReplyTemplate.objects.create(
        merchant=merchant,
        name=f"{tag} template",
        description=f"{tag} template description",
        blocks=[{"type": "TEXT", "text": {"text": f"{tag} template text"}}],
    )
    reply = Reply.objects.create(
        complaint=complaint,
        merchant=merchant,
        author=agent,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"complainted_mchid": mchid, "response_content": f"{tag} reply text"},
        status=Reply.Status.FAILED,
        error_code=f"{tag}_CODE",
        error_message=f"{tag} error message",
        failed_at=now,
    )
    ReplyAttempt.objects.create(
        reply=reply,
        number=1,
        started_at=now,
        outcome=ReplyAttempt.Outcome.FINAL,
        http_status=400,
        wechat_code=f"{tag}_CODE",
        wechat_message=f"{tag} wechat message",
        request_id=f"{tag}-request",
    )
    Draft.objects.create(
        complaint=complaint,
        author=agent,
        kind=Draft.Kind.PLAIN,
        content={"response_content": f"{tag} draft"},
    )
    rule = AutoReplyRule.objects.create(
        merchant=merchant,
        name=f"{tag} rule",
        keywords=f"{tag}keyword",
        template=template,
        response_text=f"{tag} rule text",
    )
    alert = Alert.objects.create(
        user=agent,
        kind=Alert.Kind.IMMEDIATE,
        complaint=complaint,
        key=f"{tag}-alert",
        text=f"{tag} alert",
    )
    SupervisorEvent.objects.create(
        merchant=merchant,
        kind=SupervisorEvent.Kind.FIRST_REPLY_OVERDUE,
        complaint=complaint,
        due_at=complaint.first_reply_due_at,
        key=f"{tag}-overdue",
    )
    SupervisorEvent.objects.create(
        merchant=merchant,
        kind=SupervisorEvent.Kind.REPLY_FAILED,
        complaint=complaint,
        reply=reply,
        key=f"{tag}-failed",
    )
    image_asset = ImageAsset.objects.create(
        merchant=merchant,
        sha256=("a" if tag == "ALPHALEAK" else "b") * 64,
        filename=f"{tag}.png",
        content_type="image/png",
        size=len(PNG),
        data=PNG,
        media_id=f"{tag}-MEDIA",
    )
    complaint_image = ComplaintImage.objects.create(
        complaint=complaint,
        url=f"https://api.mch.weixin.qq.com/v3/merchant-service/images/{tag}",
        url_hash=("c" if tag == "ALPHALEAK" else "d") * 64,
        content=PNG,
        content_type="image/png",
        fetched_at=now,
        fetch_status=ComplaintImage.FetchStatus.FETCHED,
    )
    refund = Refund.objects.create(
        merchant=merchant,
        complaint=complaint,
        out_refund_no=f"{tag}-refund",
        transaction_id=f"4200{tag}",
        order_total=1000,
        amount=500,
        reason=f"{tag} refund reason",
        status=Refund.Status.AWAITING_APPROVAL,
        requested_by=agent,
        needs_approval=True,
        error_message=f"{tag} refund error",
    )
    RefundAttempt.objects.create(
        refund=refund, number=1, started_at=now, outcome="final", wechat_message=f"{tag} refund"
    )
    OrderSnapshot.objects.create(
        complaint=complaint,
        merchant=merchant,
        status="fresh",
        transaction_id=f"4200{tag}",
        out_trade_no=f"{tag}-order",
        trade_state="SUCCESS",
        trade_state_desc=f"{tag} paid",
        total=1000,
        fetched_at=now,
    )
    for action, target_type, changes in [
        ("reply_template.created", "reply_template", {"name": f"{tag} template"}),
        ("auto_rule.created", "auto_rule", {"name": f"{tag} rule"}),
        ("credential.added", "credential_set", {"certificate_serial": f"{tag}SERIAL"}),
        ("merchant.updated", "merchant", {"name": [f"{tag} old", f"{tag} shop"]}),
        ("complaint.phone_revealed", "complaint", {}),
    ]:
        audit_record(
            action=action,
            actor=supervisor,
            target_type=target_type,
            target_id=complaint.complaint_id,
            mchid=mchid,
            changes=changes,
        )
    audit_record(action="login.failed", target_type="user", target_id=agent.username)
    return SimpleNamespace(
        merchant=merchant,
        complaint=complaint,
        template=template,
        reply=reply,
        refund=refund,
        rule=rule,
        alert=alert,
        image_asset=image_asset,
        complaint_image=complaint_image,
    )
