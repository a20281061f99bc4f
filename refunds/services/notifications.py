"""Refund notifications (REFUND.SUCCESS / ABNORMAL / CLOSED, spec §6): verified and decrypted by
wechatpay with the merchant's keys, recorded by event id, applied to the refund once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from complaints.services import notification_parse
from merchants.models import Merchant
from refunds.models import Refund, RefundNotificationReceipt
from refunds.services import status as outcomes
from refunds.services.wechat import notification_answer, parse_refund_notification

logger = logging.getLogger(__name__)


def refund_notification_parse(
    *, merchant: Merchant, headers: Mapping[str, str], body: bytes
) -> Any:
    """Verified and decrypted as complaint notifications are (the same keys, verifier and
    certificate download); raises wechatpay.NotificationError when it is not genuine, and
    nothing is written then."""
    return notification_parse(
        merchant=merchant, headers=headers, body=body, parse=parse_refund_notification
    )


def refund_notification_record(*, merchant: Merchant, event: Any) -> bool:
    """Remember the event and apply it; False for a redelivery (nothing happens again)."""
    try:
        with transaction.atomic():
            RefundNotificationReceipt.objects.create(
                merchant=merchant,
                event_id=event.id[:64],
                event_type=event.event_type[:32],
                out_refund_no=event.out_refund_no[:64],
                refund_status=event.refund_status[:16],
            )
            _apply(merchant, event)
    except IntegrityError:
        RefundNotificationReceipt.objects.filter(merchant=merchant, event_id=event.id).update(
            redeliveries=F("redeliveries") + 1
        )
        return False
    return True


def _apply(merchant: Merchant, event: Any) -> None:
    refund = Refund.objects.filter(merchant=merchant, out_refund_no=event.out_refund_no).first()
    if refund is None:
        logger.info("refund notification for unknown refund %s", event.out_refund_no)
        return  # made elsewhere (the merchant platform): nothing of ours to update
    outcomes.lock_complaint_of(refund)
    rows = Refund.objects.select_for_update(of=("self",)).select_related("complaint", "merchant")
    refund = rows.get(pk=refund.pk)
    outcomes.refund_apply_answer(
        refund=refund, answer=notification_answer(event), source="notification"
    )
