"""tests/vectors/vectors.json: reproduced byte for byte, or rejected for its reason."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.wechatpay.conftest import VECTORS_DIR, make_verifier, read_key
from wechatpay import (
    MerchantCredentials,
    NotificationDecryptError,
    SignatureError,
    Signer,
    decrypt_payer_phone,
    parse_notification,
)
from wechatpay.crypto import parse_authorization
from wechatpay.images import build_upload

VECTORS = json.loads((VECTORS_DIR / "vectors.json").read_text())


def _ids(entries: list[dict[str, Any]], key: str) -> list[str]:
    return [f"{i}-{entry.get(key, '')}"[:60] for i, entry in enumerate(entries)]


@pytest.mark.parametrize(
    "vector", VECTORS["request_signatures"], ids=_ids(VECTORS["request_signatures"], "method")
)
def test_request_signature_matches_vector_byte_for_byte(
    vector: dict[str, Any], credentials: MerchantCredentials
) -> None:
    from wechatpay.crypto import request_message

    signed = Signer(credentials).sign(
        vector["method"],
        vector["request_target"],
        vector["body"].encode("utf-8"),
        timestamp=vector["timestamp"],
        nonce=vector["nonce_str"],
    )
    message = request_message(
        vector["method"],
        vector["request_target"],
        vector["timestamp"],
        vector["nonce_str"],
        vector["body"],
    )
    assert message == vector["message"].encode("utf-8")
    ours = parse_authorization(signed.authorization)
    assert ours == parse_authorization(vector["authorization"])
    assert ours["signature"] == vector["signature"]


def test_upload_meta_sha256_and_signature_match_vector(credentials: MerchantCredentials) -> None:
    vector = VECTORS["upload"]
    upload = build_upload(base64.b64decode(vector["file_base64"]), vector["filename"])
    assert upload.sha256 == vector["sha256"]
    assert upload.meta == vector["meta"]
    signed = Signer(credentials).sign(
        "POST",
        vector["request_target"],
        upload.meta.encode(),
        timestamp=vector["timestamp"],
        nonce=vector["nonce_str"],
    )
    assert parse_authorization(signed.authorization) == parse_authorization(vector["authorization"])
    assert parse_authorization(signed.authorization)["signature"] == vector["signature"]


def _frozen_at(timestamp: str):  # noqa: ANN202 - a clock
    return lambda: float(timestamp)


@pytest.mark.parametrize(
    "vector",
    [v for v in VECTORS["responses"] if v["valid"]],
    ids=lambda v: f"{v['status']}-{v['headers']['Wechatpay-Serial'][:12]}",
)
def test_valid_response_vector_verifies(vector: dict[str, Any]) -> None:
    verifier = make_verifier(VECTORS, clock=_frozen_at(vector["headers"]["Wechatpay-Timestamp"]))
    serial = verifier.verify(vector["headers"], vector["body"].encode("utf-8"))
    assert serial == vector["headers"]["Wechatpay-Serial"]


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS["responses"] if not v["valid"]], ids=lambda v: v["why"]
)
def test_invalid_response_vector_is_rejected_for_its_signature(vector: dict[str, Any]) -> None:
    verifier = make_verifier(VECTORS, clock=_frozen_at(vector["headers"]["Wechatpay-Timestamp"]))
    with pytest.raises(SignatureError):
        verifier.verify(vector["headers"], vector["body"].encode("utf-8"))


def test_response_vectors_are_stale_on_todays_clock() -> None:
    from wechatpay import StaleTimestampError

    vector = VECTORS["responses"][0]
    verifier = make_verifier(VECTORS, clock=lambda: 1796000200 + 10_000)
    with pytest.raises(StaleTimestampError):
        verifier.verify(vector["headers"], vector["body"].encode())


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS["notifications"] if v["valid"]], ids=lambda v: v["body"][7:37]
)
def test_valid_notification_vector_decrypts_to_its_plaintext(vector: dict[str, Any]) -> None:
    verifier = make_verifier(VECTORS, clock=_frozen_at(vector["headers"]["Wechatpay-Timestamp"]))
    event = parse_notification(
        vector["headers"],
        vector["body"].encode("utf-8"),
        verifier=verifier,
        apiv3_key=VECTORS["apiv3_key"],
    )
    plaintext = json.loads(vector["resource_plaintext"])
    envelope = json.loads(vector["body"])
    assert event.raw_resource == plaintext
    assert (event.complaint_id, event.action_type) == (
        plaintext["complaint_id"],
        plaintext["action_type"],
    )
    assert (event.id, event.event_type, event.create_time) == (
        envelope["id"],
        envelope["event_type"],
        envelope["create_time"],
    )


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS["notifications"] if not v["valid"]], ids=lambda v: v["why"]
)
def test_notification_vector_with_bad_tag_fails_decryption(vector: dict[str, Any]) -> None:
    verifier = make_verifier(VECTORS, clock=_frozen_at(vector["headers"]["Wechatpay-Timestamp"]))
    with pytest.raises(NotificationDecryptError, match="APIv3 key"):
        parse_notification(
            vector["headers"],
            vector["body"].encode("utf-8"),
            verifier=verifier,
            apiv3_key=VECTORS["apiv3_key"],
        )


@pytest.mark.parametrize("vector", VECTORS["payer_phone"], ids=lambda v: v["plaintext"])
def test_payer_phone_vector_decrypts(vector: dict[str, Any]) -> None:
    pem = read_key(VECTORS["merchant"]["private_key"])
    assert decrypt_payer_phone(pem, vector["ciphertext"]) == vector["plaintext"]
