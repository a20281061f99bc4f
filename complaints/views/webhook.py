"""POST /webhooks/wechatpay/<mchid>/complaints: WeChat Pay's complaint notifications (§4)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

import wechatpay
from complaints.services import notification_parse, notification_record
from merchants.models import Merchant

logger = logging.getLogger(__name__)


def _fail(status: int, message: str) -> JsonResponse:
    # WeChat retries on any non-2xx; the body is for people reading its delivery log.
    return JsonResponse({"code": "FAIL", "message": message}, status=status)


@csrf_exempt
@login_not_required
@require_POST
def webhook(request: HttpRequest, mchid: str) -> HttpResponse:
    """Verify, decrypt and record; the complaint itself is fetched by a task after commit."""
    merchant = Merchant.objects.filter(mchid=mchid, active=True).first()
    if merchant is None:
        return _fail(404, "unknown merchant")
    body = request.body  # the raw bytes: the signature covers them exactly
    try:
        event = notification_parse(merchant=merchant, headers=dict(request.headers), body=body)
    except wechatpay.VerificationError as exc:
        logger.warning("rejected notification for %s: %s", mchid, type(exc).__name__)
        return _fail(401, "signature verification failed")
    except wechatpay.NotificationError as exc:
        logger.warning("rejected notification for %s: %s", mchid, type(exc).__name__)
        return _fail(400, "malformed or undecryptable notification")
    first = notification_record(merchant=merchant, event=event)
    logger.info(
        "notification %s for %s (%s) %s",
        event.id,
        event.complaint_id,
        event.action_type,
        "queued" if first else "already received",
    )
    return HttpResponse(status=204)
