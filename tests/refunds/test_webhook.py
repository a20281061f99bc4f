"""The refund notification webhook over real HTTP, signed as WeChat Pay signs (the sandbox's own
platform key): a genuine REFUND.SUCCESS settles the refund once; forged, stale, garbled or
misdirected notifications are refused and write nothing."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest

from complaints.models import Complaint, TimelineEvent
from refunds.models import Refund, RefundNotificationReceipt
from tests.complaints.notifications import encode, platform_signer, post, signed_headers
from tests.complaints.test_webhook_e2e import FORGER_KEY
from tests.fixtures.sandbox import vector_merchant_keys
from tests.refunds.conftest import order_complaint
from wechatpay import crypto

pytestmark = pytest.mark.django_db(transaction=True)


def refund_url(live_server, merchant) -> str:
    base = live_server.url.replace("localhost", "127.0.0.1")
    return f"{base}/webhooks/wechatpay/{merchant.mchid}/refunds"


def refund_notification(refund: Refund, status: str = "SUCCESS", event_id: str = "") -> bytes:
    plaintext = {
        "mchid": refund.merchant.mchid,
        "out_trade_no": refund.out_trade_no,
        "transaction_id": refund.transaction_id,
        "out_refund_no": refund.out_refund_no,
        "refund_id": "50301405352023041233178680856",
        "refund_status": status,
        "success_time": "2026-12-05T12:15:06+08:00",
        "amount": {"total": refund.order_total, "refund": refund.amount, "payer_total": 1,
                   "payer_refund": 1},
        "user_received_account": "支付用户零钱",
    }  # fmt: skip
    nonce = crypto.make_nonce()[:12]
    key = vector_merchant_keys()["apiv3_key"]
    return encode(
        {
            "id": event_id or str(uuid.uuid4()),
            "create_time": datetime.now(UTC).isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource",
            "event_type": f"REFUND.{status}",
            "summary": "退款成功",
            "resource": {
                "original_type": "refund",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": crypto.aead_encrypt(key, nonce, "refund", encode(plaintext)),
                "associated_data": "refund",
                "nonce": nonce,
            },
        }
    )


@pytest.fixture
def processing(wired) -> Refund:
    """A refund-request complaint, approved, whose refund WeChat Pay accepted."""
    complaint = order_complaint(wired, problem_type="REFUND", amount=5000)
    return Refund.objects.create(
        merchant=wired,
        complaint=complaint,
        out_refund_no=f"CC{uuid.uuid4().hex}",
        transaction_id=complaint.transaction_id,
        out_trade_no=complaint.out_trade_no,
        order_total=5000,
        amount=5000,
        status=Refund.Status.PROCESSING,
        approve_reply_id=1,
        refund_id="50301405352023041233178680856",
    )


def sign(sandbox, body: bytes, **options) -> dict:
    serial, key = platform_signer(sandbox)
    return signed_headers(serial, key, body, **options)


def assert_nothing_written(refund: Refund) -> None:
    assert not RefundNotificationReceipt.objects.exists()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PROCESSING
    assert not TimelineEvent.objects.filter(complaint=refund.complaint).exists()


def test_refund_success_settles_the_refund_and_closes_the_refund_request(
    sandbox, processing, live_server
):
    body = refund_notification(processing)

    answer = post(refund_url(live_server, processing.merchant), body, sign(sandbox, body))

    assert answer.status_code == 204
    processing.refresh_from_db()
    assert processing.status == Refund.Status.SUCCESS
    assert processing.user_received_account == "支付用户零钱"
    complaint = Complaint.objects.get(pk=processing.complaint_id)
    assert complaint.complaint_state == "PROCESSED"
    assert complaint.complaint_full_refunded
    kinds = set(TimelineEvent.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert {"refund_succeeded", "state_changed"} <= kinds


def test_a_redelivered_notification_changes_nothing(sandbox, processing, live_server):
    body = refund_notification(processing, event_id="EVT-REFUND-1")
    url = refund_url(live_server, processing.merchant)
    assert post(url, body, sign(sandbox, body)).status_code == 204
    events = TimelineEvent.objects.count()

    again = post(url, body, sign(sandbox, body))

    assert again.status_code == 204
    assert TimelineEvent.objects.count() == events
    assert RefundNotificationReceipt.objects.get().redeliveries == 1


def test_a_second_notification_of_the_same_state_changes_nothing(sandbox, processing, live_server):
    url = refund_url(live_server, processing.merchant)
    for _ in range(2):  # two event ids, as a query and a notification may both report it
        body = refund_notification(processing)
        assert post(url, body, sign(sandbox, body)).status_code == 204
    assert TimelineEvent.objects.filter(kind="refund_succeeded").count() == 1


def test_a_forged_signature_writes_nothing(sandbox, processing, live_server):
    body = refund_notification(processing)
    serial, _ = platform_signer(sandbox)
    forger = crypto.load_private_key(FORGER_KEY.read_bytes())

    answer = post(
        refund_url(live_server, processing.merchant), body, signed_headers(serial, forger, body)
    )

    assert answer.status_code == 401
    assert_nothing_written(processing)


def test_a_stale_notification_writes_nothing(sandbox, processing, live_server):
    body = refund_notification(processing)
    headers = sign(sandbox, body, timestamp=int(time.time()) - 600)

    answer = post(refund_url(live_server, processing.merchant), body, headers)

    assert answer.status_code == 401
    assert_nothing_written(processing)


@pytest.mark.parametrize("garble", ["not json", "ciphertext", "complaint event"])
def test_a_garbled_or_misdirected_notification_writes_nothing(
    sandbox, processing, live_server, garble
):
    if garble == "not json":
        body = b"{this is not json"
    elif garble == "ciphertext":
        envelope = json.loads(refund_notification(processing))
        text = envelope["resource"]["ciphertext"]
        envelope["resource"]["ciphertext"] = ("A" if text[0] != "A" else "B") + text[1:]
        body = encode(envelope)
    else:
        envelope = json.loads(refund_notification(processing))
        envelope["event_type"] = "COMPLAINT.CREATE"
        body = encode(envelope)

    answer = post(refund_url(live_server, processing.merchant), body, sign(sandbox, body))

    assert answer.status_code == 400
    assert "FAIL" in answer.text
    assert_nothing_written(processing)


def test_an_unknown_merchant_is_refused(sandbox, processing, live_server):
    body = refund_notification(processing)
    base = live_server.url.replace("localhost", "127.0.0.1")

    answer = post(f"{base}/webhooks/wechatpay/1999999999/refunds", body, sign(sandbox, body))

    assert answer.status_code == 404
    assert_nothing_written(processing)
