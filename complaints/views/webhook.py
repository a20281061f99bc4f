"""POST /webhooks/wechatpay/<mchid>/complaints: WeChat Pay's complaint notifications (§4).

`notification_webhook` makes the view for a kind of notification, so every kind (complaints
here, refunds in refunds/) follows the same rules: verified (signature, serial, timestamp) and
decrypted before anything is written, nothing written on bad input, a redelivery (same event id)
changing nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

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


def notification_webhook(
    *,
    kind: str,
    parse: Callable[..., Any],
    record: Callable[..., bool],
    describe: Callable[[Any], tuple[str, str]],
    done: str,
) -> Callable[[HttpRequest, str], HttpResponse]:
    """The webhook of one kind of notification: `parse(merchant=, headers=, body=)` verifies and
    decrypts, `record(merchant=, event=)` stores it (False: already received), `describe(event)`
    names it in the log (what it is about, its type), `done` says what recording did."""

    @csrf_exempt
    @login_not_required
    @require_POST
    def webhook(request: HttpRequest, mchid: str) -> HttpResponse:
        merchant = Merchant.objects.filter(mchid=mchid, active=True).first()
        if merchant is None:
            return _fail(404, "unknown merchant")
        body = request.body  # the raw bytes: the signature covers them exactly
        try:
            event = parse(merchant=merchant, headers=dict(request.headers), body=body)
        except wechatpay.VerificationError as exc:
            logger.warning("rejected %s for %s: %s", kind, mchid, type(exc).__name__)
            return _fail(401, "signature verification failed")
        except wechatpay.NotificationError as exc:
            logger.warning("rejected %s for %s: %s", kind, mchid, type(exc).__name__)
            return _fail(400, "malformed or undecryptable notification")
        first = record(merchant=merchant, event=event)
        subject, event_type = describe(event)
        outcome = done if first else "already received"
        logger.info("%s %s for %s (%s) %s", kind, event.id, subject, event_type, outcome)
        return HttpResponse(status=204)

    return webhook


# The complaint itself is fetched by a task after commit.
webhook = notification_webhook(
    kind="notification",
    parse=notification_parse,
    record=notification_record,
    describe=lambda event: (event.complaint_id, event.action_type),
    done="queued",
)
