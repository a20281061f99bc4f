"""POST /webhooks/wechatpay/<mchid>/refunds: WeChat Pay's refund notifications (spec §6).

Beside the complaint webhook, with its rules: verified (signature, serial, timestamp) and
decrypted before anything is written; a redelivery (same event id) changes nothing."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

import wechatpay
from merchants.models import Merchant
from refunds.services import refund_notification_parse, refund_notification_record

logger = logging.getLogger(__name__)


def _fail(status: int, message: str) -> JsonResponse:
    # WeChat retries on any non-2xx; the body is for people reading its delivery log.
    return JsonResponse({"code": "FAIL", "message": message}, status=status)


@csrf_exempt
@login_not_required
@require_POST
def webhook(request: HttpRequest, mchid: str) -> HttpResponse:
    merchant = Merchant.objects.filter(mchid=mchid, active=True).first()
    if merchant is None:
        return _fail(404, "unknown merchant")
    try:
        event = refund_notification_parse(
            merchant=merchant, headers=dict(request.headers), body=request.body
        )
    except wechatpay.VerificationError as exc:
        logger.warning("rejected refund notification for %s: %s", mchid, type(exc).__name__)
        return _fail(401, "signature verification failed")
    except wechatpay.NotificationError as exc:
        logger.warning("rejected refund notification for %s: %s", mchid, type(exc).__name__)
        return _fail(400, "malformed or undecryptable notification")
    first = refund_notification_record(merchant=merchant, event=event)
    logger.info(
        "refund notification %s for %s (%s) %s",
        event.id,
        event.out_refund_no,
        event.refund_status,
        "applied" if first else "already received",
    )
    return HttpResponse(status=204)
