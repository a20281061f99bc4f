"""Reading from WeChat Pay by task: a refund whose notification is late, and the complaint's
order (state, paid amount) for its page. Never inside a web request or a transaction."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from complaints.models import Complaint
from console import events
from console.ratelimit import rate_limit_wait
from refunds.models import OrderSnapshot, Refund
from refunds.services import status as outcomes
from refunds.services import wechat
from wechatpay import ApiError, WechatPayError

logger = logging.getLogger(__name__)


def refund_query(*, refund_id: int, client_factory: Any = None) -> str:
    """Ask WeChat Pay for the refund by out_refund_no and apply what it says."""
    refund = Refund.objects.select_related("merchant", "complaint").filter(pk=refund_id).first()
    if refund is None or refund.check_after is None:
        return "skipped"
    rate_limit_wait(mchid=refund.merchant.mchid, endpoint="refund-query", max_wait=30.0)
    try:
        answer = wechat.query_refund(
            (client_factory or wechat.default_client)(refund.merchant), refund
        )
    except ApiError as exc:
        if exc.status == 404 and refund.status == Refund.Status.FAILED:
            Refund.objects.filter(pk=refund.pk).update(check_after=None)  # never landed
            return "not found"
        logger.info("query of refund %s failed: %s", refund.pk, exc)
        return "error"  # check_after stays: the sweeper asks again later
    except WechatPayError as exc:
        logger.info("query of refund %s failed: %s", refund.pk, exc)
        return "error"
    with transaction.atomic():
        outcomes.lock_complaint_of(refund)
        locked = Refund.objects.select_for_update().select_related("complaint", "merchant")
        locked = locked.get(pk=refund.pk)
        changed = outcomes.refund_apply_answer(refund=locked, answer=answer, source="query")
    return "changed" if changed else "unchanged"


def order_refresh_request(*, complaint: Complaint) -> OrderSnapshot:
    """Mark the complaint's order as being fetched and queue the fetch (on commit)."""
    from refunds.tasks import fetch_order

    with transaction.atomic():
        snapshot, _created = OrderSnapshot.objects.select_for_update().get_or_create(
            complaint=complaint, defaults={"merchant_id": complaint.merchant_id}
        )
        snapshot.status = OrderSnapshot.Status.FETCHING
        snapshot.requested_at = timezone.now()
        snapshot.save(update_fields=["status", "requested_at"])
        _announce(complaint)
        fetch_order.delay_on_commit(complaint.pk)
    return snapshot


def order_fetch(*, complaint_pk: int, client_factory: Any = None) -> str:
    """Query the order by transaction_id and store it in the complaint's snapshot."""
    complaint = Complaint.objects.select_related("merchant").filter(pk=complaint_pk).first()
    if complaint is None or not complaint.transaction_id:
        return "skipped"
    fields: dict[str, Any]
    try:
        rate_limit_wait(mchid=complaint.merchant.mchid, endpoint="order-query", max_wait=30.0)
        client = (client_factory or wechat.default_client)(complaint.merchant)
        order = wechat.query_order(client, complaint)
        fields = {
            "status": OrderSnapshot.Status.FRESH, "transaction_id": order.transaction_id,
            "out_trade_no": order.out_trade_no, "trade_state": order.trade_state,
            "trade_state_desc": order.trade_state_desc, "total": order.total,
            "payer_total": order.payer_total, "currency": order.currency,
            "success_time": order.success_time, "error_code": "", "error_message": "",
        }  # fmt: skip
    except ApiError as exc:
        fields = {"status": "failed", "error_code": exc.code, "error_message": exc.message[:500]}
    except Exception as exc:  # noqa: BLE001 - transport, credentials: shown on the page
        fields = {
            "status": "failed",
            "error_code": type(exc).__name__,
            "error_message": str(exc)[:500],
        }
    with transaction.atomic():
        OrderSnapshot.objects.update_or_create(
            complaint=complaint,
            defaults={**fields, "merchant_id": complaint.merchant_id, "fetched_at": timezone.now()},
        )
        _announce(complaint)
    return fields["status"]


def _announce(complaint: Complaint) -> None:
    events.announce(
        events.ORDER_CHANGED, merchant_id=complaint.merchant_id, complaint_id=complaint.pk
    )
