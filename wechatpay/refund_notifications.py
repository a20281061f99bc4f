"""Refund notifications (WeChat Pay → merchant, refund spec §6): verify, decrypt, type."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from wechatpay.errors import MalformedNotificationError
from wechatpay.models_payments import (
    REFUND_EVENT_TYPES,
    RefundNotification,
    RefundResource,
)
from wechatpay.notifications import open_notification, text_field
from wechatpay.verifier import Verifier


def parse_refund_notification(
    headers: Mapping[str, str], body: bytes, *, verifier: Verifier, apiv3_key: str | bytes
) -> RefundNotification:
    """Verify the raw body against the Wechatpay-* headers, decrypt its resource and return the
    REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED event.

    Raises the same NotificationError subclasses as `parse_notification`, and
    MalformedNotificationError for another event type (e.g. a complaint notification posted to
    the refund URL) or a resource without out_refund_no, refund_id, refund_status or amount."""
    envelope, plaintext = open_notification(headers, body, verifier=verifier, apiv3_key=apiv3_key)
    event_type = text_field(envelope, "event_type")
    if event_type not in REFUND_EVENT_TYPES:
        raise MalformedNotificationError(f"not a refund notification: event_type {event_type!r}")
    try:
        resource = RefundResource.model_validate(plaintext)
    except ValidationError as exc:
        fields = ", ".join(str(error["loc"][0]) for error in exc.errors() if error["loc"])
        raise MalformedNotificationError(
            f"decrypted refund notification lacks or mistypes: {fields}"
        ) from exc
    status = "CLOSED" if resource.refund_status == "CLOSE" else resource.refund_status
    return RefundNotification(
        id=envelope["id"],
        create_time=text_field(envelope, "create_time"),
        event_type=event_type,
        resource_type=text_field(envelope, "resource_type"),
        summary=text_field(envelope, "summary"),
        refund_id=resource.refund_id,
        out_refund_no=resource.out_refund_no,
        transaction_id=resource.transaction_id,
        out_trade_no=resource.out_trade_no,
        refund_status=status,
        success_time=resource.success_time,
        user_received_account=resource.user_received_account,
        amount=resource.amount,
        mchid=resource.mchid or resource.sp_mchid,
        sub_mchid=resource.sub_mchid,
        raw_resource=plaintext,
    )
