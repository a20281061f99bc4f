"""Notifications end to end: the sandbox pushes over real HTTP to the live console, a real Celery
worker fetches detail and history. Forged, stale and garbled notifications write nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from complaints.models import Complaint, HistoryEntry, NotificationReceipt
from merchants.services import wechatpay_client
from tests.complaints.notifications import (
    certificate_signer,
    encode,
    platform_signer,
    post,
    signed_headers,
)
from wechatpay import crypto

pytestmark = pytest.mark.django_db(transaction=True)
FORGER_KEY = Path(__file__).resolve().parents[1] / "vectors" / "keys" / "merchant_private_key.pem"


def webhook_url(live_server, merchant) -> str:
    base = live_server.url.replace("localhost", "127.0.0.1")
    return f"{base}/webhooks/wechatpay/{merchant.mchid}/complaints"


def wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the console")


def delivered_body(sandbox, merchant, complaint_id: str) -> dict:
    def find():
        rows = sandbox.control.notifications(mchid=merchant.mchid, complaint_id=complaint_id)
        return [row for row in rows if row["status"] == "delivered"]

    return wait_for(find)[0]["body"]


@pytest.fixture
def registered(wired, live_server):
    wechatpay_client(wired).create_notification_url(webhook_url(live_server, wired))
    return wired


def test_a_new_complaint_arrives_with_detail_and_history(
    sandbox, registered, live_server, celery_worker_process
):
    (complaint_id,) = sandbox.control.create_complaints(registered.mchid, 1)

    complaint = wait_for(
        lambda: Complaint.objects.filter(
            complaint_id=complaint_id, history_synced_at__isnull=False
        ).first()
    )

    assert complaint.merchant == registered
    assert complaint.payer_openid  # detail-only field: the detail was fetched
    assert len(complaint.payer_phone_last4) == 4
    assert "****" in complaint.payer_phone_masked
    assert HistoryEntry.objects.filter(complaint=complaint).exists()
    assert complaint.images.exists()
    receipt = NotificationReceipt.objects.get(complaint_id=complaint_id)
    assert receipt.action_type == "CREATE_COMPLAINT"


def test_a_redelivered_notification_does_nothing_new(
    sandbox, registered, live_server, celery_worker_process
):
    (complaint_id,) = sandbox.control.create_complaints(registered.mchid, 1)
    wait_for(lambda: Complaint.objects.filter(history_synced_at__isnull=False).exists())
    before = Complaint.objects.values().get()
    body = encode(delivered_body(sandbox, registered, complaint_id))
    serial, key = platform_signer(sandbox)

    answer = post(webhook_url(live_server, registered), body, signed_headers(serial, key, body))
    time.sleep(2)  # give a wrongly queued refresh time to show up

    assert answer.status_code == 204
    assert NotificationReceipt.objects.get().redeliveries == 1
    assert Complaint.objects.values().get() == before


def test_a_user_message_arrives_by_notification(
    sandbox, registered, live_server, celery_worker_process
):
    (complaint_id,) = sandbox.control.create_complaints(registered.mchid, 1)
    complaint = wait_for(lambda: Complaint.objects.filter(history_synced_at__isnull=False).first())
    version = complaint.activity_version

    sandbox.control.user_action(complaint_id, "message", content="请问什么时候处理？")

    def arrived():
        return HistoryEntry.objects.filter(
            complaint=complaint, operate_details="请问什么时候处理？"
        ).exists()

    wait_for(arrived)
    complaint.refresh_from_db()
    assert complaint.activity_version > version


def _notification(sandbox, merchant) -> bytes:
    """A genuine-looking notification body for a complaint id (encrypted with the merchant key)."""
    from sandbox.notifier import build_body
    from tests.fixtures.sandbox import vector_merchant_keys

    return build_body(
        vector_merchant_keys()["apiv3_key"], "200201820260301000000000001", "CREATE_COMPLAINT"
    ).encode()


def assert_nothing_written():
    assert not NotificationReceipt.objects.exists()
    assert not Complaint.objects.exists()


def test_a_forged_signature_is_rejected(sandbox, wired, live_server):
    body = _notification(sandbox, wired)
    serial, _ = platform_signer(sandbox)
    forger = crypto.load_private_key(FORGER_KEY.read_bytes())

    answer = post(webhook_url(live_server, wired), body, signed_headers(serial, forger, body))

    assert answer.status_code == 401
    assert_nothing_written()


def test_a_stale_notification_is_rejected(sandbox, wired, live_server):
    body = _notification(sandbox, wired)
    serial, key = platform_signer(sandbox)
    headers = signed_headers(serial, key, body, timestamp=int(time.time()) - 600)

    answer = post(webhook_url(live_server, wired), body, headers)

    assert answer.status_code == 401
    assert_nothing_written()


def test_a_probe_signature_is_rejected(sandbox, wired, live_server):
    body = _notification(sandbox, wired)
    serial, key = platform_signer(sandbox)
    headers = signed_headers(serial, key, body)
    headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"]

    answer = post(webhook_url(live_server, wired), body, headers)

    assert answer.status_code == 401
    assert_nothing_written()


@pytest.mark.parametrize("garble", ["not json", "ciphertext"])
def test_a_garbled_notification_is_rejected(sandbox, wired, live_server, garble):
    if garble == "not json":
        body = b"{this is not json"
    else:
        envelope = json.loads(_notification(sandbox, wired))
        ciphertext = envelope["resource"]["ciphertext"]
        envelope["resource"]["ciphertext"] = ("A" if ciphertext[0] != "A" else "B") + ciphertext[1:]
        body = encode(envelope)
    serial, key = platform_signer(sandbox)

    answer = post(webhook_url(live_server, wired), body, signed_headers(serial, key, body))

    assert answer.status_code == 400
    assert_nothing_written()


def test_a_new_platform_certificate_is_downloaded_once_and_then_verifies(
    sandbox, wired, live_server
):
    """The merchant uploaded only the public key; WeChat signs with a platform certificate the
    console has never seen: it downloads /v3/certificates (signed call) and accepts."""
    body = _notification(sandbox, wired)
    serial, key = certificate_signer(sandbox)

    answer = post(webhook_url(live_server, wired), body, signed_headers(serial, key, body))

    assert answer.status_code == 204, answer.text
    assert NotificationReceipt.objects.filter(merchant=wired).count() == 1


def test_an_unknown_certificate_serial_is_still_rejected_after_the_download(
    sandbox, wired, live_server
):
    body = _notification(sandbox, wired)
    _, key = certificate_signer(sandbox)
    headers = signed_headers("5157F09EFDC096DE15EBE81A47057A7232F1B8E1", key, body)

    answer = post(webhook_url(live_server, wired), body, headers)

    assert answer.status_code == 401
    assert_nothing_written()
