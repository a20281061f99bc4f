"""The refund calls as refunds/ uses them, over the typed wechatpay client (refunds-wire).

The one place that knows the client's refund and order methods: the rest of the app deals in
`RefundAnswer` and `OrderAnswer`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from merchants.models import Merchant
from merchants.services import wechatpay_client


@dataclass(frozen=True)
class RefundAnswer:
    refund_id: str
    status: str  # PROCESSING, SUCCESS, ABNORMAL, CLOSED
    user_received_account: str = ""
    success_time: datetime | None = None


@dataclass(frozen=True)
class OrderAnswer:
    transaction_id: str
    out_trade_no: str
    trade_state: str
    trade_state_desc: str
    total: int | None
    payer_total: int | None
    currency: str
    success_time: datetime | None


def default_client(merchant: Merchant) -> Any:
    return wechatpay_client(merchant)


def _sub_mchid(merchant: Merchant, complainted_mchid: str) -> str | None:
    """Service providers refund and query on behalf of the complained sub-merchant."""
    if merchant.kind == Merchant.Kind.DIRECT or complainted_mchid == merchant.mchid:
        return None
    return complainted_mchid


def _status(value: str) -> str:
    return "CLOSED" if value == "CLOSE" else value  # old wiki spelling (spec §6.3)


def _refund_answer(refund: Any) -> RefundAnswer:
    return RefundAnswer(
        refund_id=refund.refund_id or "",
        status=_status(refund.status or ""),
        user_received_account=refund.user_received_account or "",
        success_time=refund.success_at,
    )


def notification_answer(event: Any) -> RefundAnswer:
    from wechatpay.models_payments import parse_time

    return RefundAnswer(
        refund_id=event.refund_id,
        status=_status(event.refund_status),
        user_received_account=event.user_received_account or "",
        success_time=parse_time(event.success_time or None),
    )


def create_refund(client: Any, refund: Any) -> RefundAnswer:
    """POST /v3/refund/domestic/refunds with the refund's own out_refund_no (idempotent there)."""
    complaint = refund.complaint
    created = client.create_refund(
        out_refund_no=refund.out_refund_no,
        transaction_id=refund.transaction_id,
        refund_amount=refund.amount,
        total_amount=refund.order_total,
        reason=refund.reason or None,
        notify_url=refund_notify_url(refund.merchant),
        sub_mchid=_sub_mchid(refund.merchant, complaint.complainted_mchid),
    )
    return _refund_answer(created)


def query_refund(client: Any, refund: Any) -> RefundAnswer:
    found = client.get_refund(
        refund.out_refund_no,
        sub_mchid=_sub_mchid(refund.merchant, refund.complaint.complainted_mchid),
    )
    return _refund_answer(found)


def query_order(client: Any, complaint: Any) -> OrderAnswer:
    merchant = complaint.merchant
    sub = _sub_mchid(merchant, complaint.complainted_mchid)
    order = client.get_order(transaction_id=complaint.transaction_id, sub_mchid=sub)
    return OrderAnswer(
        transaction_id=order.transaction_id or complaint.transaction_id,
        out_trade_no=order.out_trade_no or "",
        trade_state=order.trade_state or "",
        trade_state_desc=order.trade_state_desc or "",
        total=order.total if order.amount is not None else None,
        payer_total=order.payer_total if order.amount is not None else None,
        currency=order.currency or "",
        success_time=order.success_at,
    )


def refund_notify_url(merchant: Merchant) -> str:
    from django.conf import settings
    from django.urls import reverse

    path = reverse("wechatpay_refunds_webhook", kwargs={"mchid": merchant.mchid})
    return settings.CONSOLE_PUBLIC_URL.rstrip("/") + path


def parse_refund_notification(headers: Any, body: bytes, *, verifier: Any, apiv3_key: str) -> Any:
    """Verify and decrypt a REFUND.* notification (wechatpay does both)."""
    import wechatpay

    return wechatpay.parse_refund_notification(
        headers, body, verifier=verifier, apiv3_key=apiv3_key
    )
