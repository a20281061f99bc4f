"""parse_refund_notification: the documented REFUND.* payloads are typed; everything else raises."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.wechatpay.conftest import make_verifier
from tests.wechatpay.test_notifications import NOW, PLAINTEXT, envelope, signed_headers
from wechatpay import (
    MalformedNotificationError,
    NotificationDecryptError,
    NotificationError,
    SignatureError,
    parse_notification,
    parse_refund_notification,
)

# The real decrypted example of the refund spec §6.3 (a logged exchange, 2023-04-12).
REAL = (
    '{"mchid":"1558950191","out_trade_no":"ORDER_20230408144355425",'
    '"transaction_id":"4200001736202304084431828716","out_refund_no":"REFUND20230412121456353",'
    '"refund_id":"50301405352023041233178680856","refund_status":"SUCCESS",'
    '"success_time":"2023-04-12T12:15:06+08:00",'
    '"amount":{"total":1,"refund":1,"payer_total":1,"payer_refund":1},'
    '"user_received_account":"支付用户零钱"}'
).encode()


def refund_body(vectors: dict[str, Any], plaintext: bytes, event: str = "REFUND.SUCCESS") -> bytes:
    return envelope(
        vectors,
        plaintext,
        associated_data="refund",
        event_type=event,
        summary="退款成功",
        id="e5e66e42-f05f-5c21-9421-d82e49387717",
    )


@pytest.fixture
def parse(vectors: dict[str, Any], platform_private_key: Any, public_key_id: str) -> Any:
    verifier = make_verifier(vectors, clock=lambda: NOW)

    def run(body: bytes, headers: dict[str, str] | None = None) -> Any:
        headers = headers or signed_headers(body, platform_private_key, public_key_id)
        return parse_refund_notification(
            headers, body, verifier=verifier, apiv3_key=vectors["apiv3_key"]
        )

    return run


def test_real_refund_success_payload_is_typed(parse: Any, vectors: dict[str, Any]) -> None:
    event = parse(refund_body(vectors, REAL))

    assert (event.id, event.event_type, event.summary) == (
        "e5e66e42-f05f-5c21-9421-d82e49387717",
        "REFUND.SUCCESS",
        "退款成功",
    )
    assert (event.refund_status, event.refund_id, event.out_refund_no) == (
        "SUCCESS",
        "50301405352023041233178680856",
        "REFUND20230412121456353",
    )
    assert (event.transaction_id, event.out_trade_no) == (
        "4200001736202304084431828716",
        "ORDER_20230408144355425",
    )
    assert (event.amount.total, event.amount.refund, event.amount.payer_refund) == (1, 1, 1)
    assert (event.mchid, event.sub_mchid) == ("1558950191", "")
    assert event.user_received_account == "支付用户零钱"
    assert event.success_at is not None and event.success_at.utcoffset().total_seconds() == 28800
    assert event.raw_resource == json.loads(REAL)


def test_provider_payload_and_old_close_spelling(parse: Any, vectors: dict[str, Any]) -> None:
    data = json.loads(REAL)
    del data["mchid"], data["success_time"]
    data.update(sp_mchid="1900000100", sub_mchid="1900000109", refund_status="CLOSE")
    body = refund_body(vectors, json.dumps(data).encode(), event="REFUND.CLOSED")

    event = parse(body)

    assert (event.event_type, event.refund_status) == ("REFUND.CLOSED", "CLOSED")
    assert (event.mchid, event.sub_mchid) == ("1900000100", "1900000109")
    assert event.success_at is None


def test_empty_associated_data_is_accepted(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = envelope(vectors, REAL, associated_data="", event_type="REFUND.ABNORMAL")
    data = json.loads(REAL)
    assert parse(body).out_refund_no == data["out_refund_no"]


def test_complaint_notification_on_the_refund_url_is_refused(
    parse: Any, vectors: dict[str, Any]
) -> None:
    with pytest.raises(MalformedNotificationError, match="COMPLAINT.STATE_CHANGE"):
        parse(envelope(vectors, PLAINTEXT))


def test_refund_notification_is_refused_by_the_complaint_parser(
    vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = refund_body(vectors, REAL)
    with pytest.raises(MalformedNotificationError, match="complaint_id"):
        parse_notification(
            signed_headers(body, platform_private_key, public_key_id),
            body,
            verifier=make_verifier(vectors, clock=lambda: NOW),
            apiv3_key=vectors["apiv3_key"],
        )


@pytest.mark.parametrize("missing", ["out_refund_no", "refund_id", "refund_status", "amount"])
def test_resource_without_a_required_field_is_malformed(
    parse: Any, vectors: dict[str, Any], missing: str
) -> None:
    data = json.loads(REAL)
    del data[missing]
    with pytest.raises(MalformedNotificationError, match=missing):
        parse(refund_body(vectors, json.dumps(data).encode()))


def test_forged_refund_notification_raises_signature_error(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = refund_body(vectors, REAL)
    headers = signed_headers(body, platform_private_key, public_key_id)
    with pytest.raises(SignatureError) as caught:
        parse(body.replace(b"REFUND.SUCCESS", b"REFUND.CLOSED"), headers)
    assert isinstance(caught.value, NotificationError)


def test_wrong_apiv3_key_raises_decrypt_error(
    vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = refund_body(vectors, REAL)
    with pytest.raises(NotificationDecryptError):
        parse_refund_notification(
            signed_headers(body, platform_private_key, public_key_id),
            body,
            verifier=make_verifier(vectors, clock=lambda: NOW),
            apiv3_key="X" * 32,
        )
