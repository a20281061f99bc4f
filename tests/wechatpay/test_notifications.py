"""parse_notification: each way a notification can be wrong raises its own exception."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.wechatpay.conftest import make_verifier
from wechatpay import (
    MalformedNotificationError,
    MissingHeadersError,
    NotificationDecryptError,
    NotificationError,
    SignatureError,
    StaleTimestampError,
    UnknownSerialError,
    crypto,
    parse_notification,
)

NOW = 1796000300.0


def envelope(
    vectors: dict[str, Any], plaintext: bytes, associated_data: str = "", **over: Any
) -> bytes:
    nonce = "fmJCcLxExNyx"
    resource = {
        "algorithm": "AEAD_AES_256_GCM",
        "original_type": "complaint",
        "ciphertext": crypto.aead_encrypt(vectors["apiv3_key"], nonce, associated_data, plaintext),
        "nonce": nonce,
        "associated_data": associated_data,
    }
    body = {
        "id": "EV-2018022511223320873",
        "create_time": "2026-11-28T11:22:33+08:00",
        "event_type": "COMPLAINT.STATE_CHANGE",
        "resource_type": "encrypt-resource",
        "summary": "投诉单状态变化",
        "resource": resource,
        **over,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(
    body: bytes, key: Any, serial: str, timestamp: float = NOW, signature: str | None = None
) -> dict[str, str]:
    nonce = crypto.make_nonce()
    ts = str(int(timestamp))
    return {
        "Wechatpay-Timestamp": ts,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": signature
        or crypto.sign(key, crypto.response_message(ts, nonce, body)),
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        "Request-ID": "NOTIFY-1",
    }


PLAINTEXT = b'{"complaint_id":"200201820261128080076610001","action_type":"USER_RESPONSE"}'


@pytest.fixture
def parse(vectors: dict[str, Any]) -> Any:
    verifier = make_verifier(vectors, clock=lambda: NOW)
    return lambda headers, body: parse_notification(
        headers, body, verifier=verifier, apiv3_key=vectors["apiv3_key"]
    )


def test_empty_associated_data_and_lower_case_headers_are_accepted(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = envelope(vectors, PLAINTEXT, associated_data="")
    headers = {
        k.lower(): v for k, v in signed_headers(body, platform_private_key, public_key_id).items()
    }
    event = parse(headers, body)
    assert (event.id, event.complaint_id, event.action_type) == (
        "EV-2018022511223320873",
        "200201820261128080076610001",
        "USER_RESPONSE",
    )
    assert event.event_type == "COMPLAINT.STATE_CHANGE"
    assert event.summary == "投诉单状态变化"


def test_platform_certificate_signed_notification_is_accepted(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any
) -> None:
    body = envelope(vectors, PLAINTEXT, associated_data="complaint")
    serial = vectors["platform"]["certificate_serial_no"]
    assert (
        parse(signed_headers(body, platform_private_key, serial), body).action_type
        == "USER_RESPONSE"
    )


def test_unknown_action_type_is_passed_through(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = envelope(vectors, b'{"complaint_id":"1","action_type":"SOMETHING_NEW","extra":1}')
    event = parse(signed_headers(body, platform_private_key, public_key_id), body)
    assert event.action_type == "SOMETHING_NEW"
    assert event.raw_resource["extra"] == 1


def test_bad_signature_raises_signature_error(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = envelope(vectors, PLAINTEXT)
    headers = signed_headers(body, platform_private_key, public_key_id)
    with pytest.raises(SignatureError) as caught:
        parse(headers, body.replace(b"STATE_CHANGE", b"CREATE"))
    assert isinstance(caught.value, NotificationError)
    assert caught.value.request_id == "NOTIFY-1"


def test_signtest_probe_is_rejected(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = envelope(vectors, PLAINTEXT)
    headers = signed_headers(
        body, platform_private_key, public_key_id, signature="WECHATPAY/SIGNTEST/x"
    )
    with pytest.raises(SignatureError):
        parse(headers, body)


@pytest.mark.parametrize("skew", [-300, 300, 3600])
def test_stale_timestamp_raises_stale_timestamp_error(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any, public_key_id: str, skew: int
) -> None:
    body = envelope(vectors, PLAINTEXT)
    headers = signed_headers(body, platform_private_key, public_key_id, timestamp=NOW + skew)
    with pytest.raises(StaleTimestampError) as caught:
        parse(headers, body)
    assert isinstance(caught.value, NotificationError)


def test_timestamp_just_inside_the_window_is_accepted(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = envelope(vectors, PLAINTEXT)
    headers = signed_headers(body, platform_private_key, public_key_id, timestamp=NOW - 299)
    assert parse(headers, body).complaint_id


def test_unknown_serial_raises_unknown_serial_error(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any
) -> None:
    body = envelope(vectors, PLAINTEXT)
    headers = signed_headers(
        body, platform_private_key, "PUB_KEY_ID_0000000000000000000000000000000001"
    )
    with pytest.raises(UnknownSerialError, match="PUB_KEY_ID_0000000000000000000000000000000001"):
        parse(headers, body)


def test_missing_header_raises_missing_headers_error(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = envelope(vectors, PLAINTEXT)
    headers = signed_headers(body, platform_private_key, public_key_id)
    del headers["Wechatpay-Signature"]
    with pytest.raises(MissingHeadersError, match="Wechatpay-Signature"):
        parse(headers, body)


def test_wrong_apiv3_key_raises_decrypt_error(
    vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = envelope(vectors, PLAINTEXT)
    with pytest.raises(NotificationDecryptError):
        parse_notification(
            signed_headers(body, platform_private_key, public_key_id),
            body,
            verifier=make_verifier(vectors, clock=lambda: NOW),
            apiv3_key="X" * 32,
        )


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"id":"EV-1"}',
        b'{"id":"EV-1","resource":{"algorithm":"AEAD_AES_256_GCM","nonce":"n","ciphertext":"***"}}',
        b'{"id":"EV-1","resource":{"algorithm":"RSA","nonce":"n","ciphertext":"AAAA"}}',
    ],
    ids=["not-json", "not-object", "no-resource", "ciphertext-not-base64", "other-algorithm"],
)
def test_malformed_body_raises_malformed_notification_error(
    parse: Any, platform_private_key: Any, public_key_id: str, body: bytes
) -> None:
    with pytest.raises(MalformedNotificationError):
        parse(signed_headers(body, platform_private_key, public_key_id), body)


def test_plaintext_without_complaint_id_is_malformed(
    parse: Any, vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = envelope(vectors, b'{"action_type":"USER_RESPONSE"}')
    with pytest.raises(MalformedNotificationError, match="complaint_id"):
        parse(signed_headers(body, platform_private_key, public_key_id), body)


def test_real_clock_is_the_default(
    vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    body = envelope(vectors, PLAINTEXT)
    verifier = make_verifier(vectors)
    headers = signed_headers(body, platform_private_key, public_key_id, timestamp=time.time())
    assert parse_notification(headers, body, verifier=verifier, apiv3_key=vectors["apiv3_key"]).id
