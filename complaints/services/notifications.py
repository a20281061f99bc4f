"""Complaint notifications (§4): verified and decrypted by wechatpay, recorded by event id."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from celery import current_app
from django.db import IntegrityError, transaction
from django.db.models import F

import wechatpay
from complaints.models import NotificationReceipt
from merchants.models import Merchant
from merchants.services import (
    NoActiveCredentials,
    merchant_apiv3_keys,
    merchant_verifier,
    wechatpay_client,
)

logger = logging.getLogger(__name__)
# Queued by its stable name: complaints/tasks.py imports the services, never the reverse.
REFRESH_TASK = "complaints.refresh_complaint"


def notification_parse(
    *,
    merchant: Merchant,
    headers: Mapping[str, str],
    body: bytes,
    parse: Callable[..., Any] = wechatpay.parse_notification,
) -> Any:
    """Verify and decrypt with the merchant's verifier and APIv3 key(s) (several during a key
    change: each is tried). `parse`: the wechatpay parser of the notification's kind (complaint
    by default; refunds pass theirs). Raises wechatpay.NotificationError when it is not genuine."""
    verifier = merchant_verifier(merchant)
    serial = wechatpay.header_lookup(headers).get("wechatpay-serial", "")
    if serial and not verifier.knows(serial):
        verifier = _verifier_with_downloads(merchant, serial) or verifier
    keys = merchant_apiv3_keys(merchant)
    if not keys:
        raise wechatpay.NotificationDecryptError("the merchant has no APIv3 key configured")
    error: wechatpay.NotificationError | None = None
    for key in keys:
        try:
            return parse(headers, body, verifier=verifier, apiv3_key=key)
        except wechatpay.NotificationDecryptError as exc:
            error = exc
    raise error  # type: ignore[misc]


def _verifier_with_downloads(merchant: Merchant, serial: str) -> wechatpay.Verifier | None:
    """The merchant client's verifier, if it knows `serial` after downloading WeChat Pay's
    platform certificates (the client does that at most once per interval, so forged serials
    cannot make us hammer the API). None when it does not, or the download failed."""
    try:
        client = wechatpay_client(merchant)
        if client.knows_serial(serial):
            return client.verifier
    except (NoActiveCredentials, wechatpay.WechatPayError) as exc:
        logger.warning("platform certificates for %s not downloaded: %s", merchant.mchid, exc)
    return None


def notification_record(*, merchant: Merchant, event: wechatpay.NotificationEvent) -> bool:
    """Remember the event; True the first time, False for a redelivery (nothing to do again).
    The refresh of the complaint is queued when the receipt commits."""
    try:
        with transaction.atomic():
            NotificationReceipt.objects.create(
                merchant=merchant,
                event_id=event.id,
                event_type=event.event_type[:32],
                action_type=event.action_type[:64],
                complaint_id=event.complaint_id[:64],
                create_time=event.create_time[:32],
            )
            args = (merchant.pk, event.complaint_id)
            transaction.on_commit(lambda: current_app.send_task(REFRESH_TASK, args=args))
    except IntegrityError:
        NotificationReceipt.objects.filter(merchant=merchant, event_id=event.id).update(
            redeliveries=F("redeliveries") + 1
        )
        return False
    return True
