"""Complaint notifications (WeChat Pay → merchant, §4): verify, decrypt, type."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from wechatpay import crypto
from wechatpay.errors import (
    NOTIFICATION_VARIANTS,
    MalformedNotificationError,
    NotificationDecryptError,
    VerificationError,
)
from wechatpay.models import NotificationEvent
from wechatpay.verifier import Verifier, header_lookup

AEAD_ALGORITHM = "AEAD_AES_256_GCM"


def parse_notification(
    headers: Mapping[str, str], body: bytes, *, verifier: Verifier, apiv3_key: str | bytes
) -> NotificationEvent:
    """Verify the raw body against the Wechatpay-* headers, decrypt its resource, return the event.

    Every failure is a NotificationError subclass; verification failures are also the matching
    VerificationError subclass (SignatureError, StaleTimestampError, UnknownSerialError, …).
    """
    envelope, plaintext = open_notification(headers, body, verifier=verifier, apiv3_key=apiv3_key)
    require_text(plaintext, ("complaint_id", "action_type"))
    return NotificationEvent(
        id=envelope["id"],
        create_time=text_field(envelope, "create_time"),
        event_type=text_field(envelope, "event_type"),
        resource_type=text_field(envelope, "resource_type"),
        summary=text_field(envelope, "summary"),
        complaint_id=plaintext["complaint_id"],
        action_type=plaintext["action_type"],
        raw_resource=plaintext,
    )


def open_notification(
    headers: Mapping[str, str], body: bytes, *, verifier: Verifier, apiv3_key: str | bytes
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify any WeChat Pay notification and decrypt its resource: (envelope, plaintext).
    Shared by complaint and refund notifications; raises NotificationError subclasses."""
    request_id = header_lookup(headers).get("request-id")
    try:
        verifier.verify(headers, body, request_id=request_id)
    except VerificationError as exc:
        variant = NOTIFICATION_VARIANTS[type(exc)]
        raise variant(str(exc), request_id=request_id) from exc
    envelope = _envelope(body)
    return envelope, _decrypt(envelope["resource"], apiv3_key)


def require_text(plaintext: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if not isinstance(plaintext.get(key), str) or not plaintext[key]:
            raise MalformedNotificationError(f"decrypted notification resource has no {key}")


def text_field(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value if isinstance(value, str) else str(value)


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedNotificationError(f"{what} is not JSON") from exc
    if not isinstance(data, dict):
        raise MalformedNotificationError(f"{what} is not a JSON object")
    return data


def _envelope(body: bytes) -> dict[str, Any]:
    envelope = _json_object(body, "notification body")
    if not isinstance(envelope.get("id"), str) or not envelope["id"]:
        raise MalformedNotificationError("notification body has no id")
    resource = envelope.get("resource")
    if not isinstance(resource, dict):
        raise MalformedNotificationError("notification body has no resource object")
    for key in ("ciphertext", "nonce"):
        if not isinstance(resource.get(key), str) or not resource[key]:
            raise MalformedNotificationError(f"notification resource has no {key}")
    if resource.get("algorithm") != AEAD_ALGORITHM:
        raise MalformedNotificationError(
            f"notification resource algorithm is {resource.get('algorithm')!r}, "
            f"expected {AEAD_ALGORITHM}"
        )
    if not isinstance(resource.get("associated_data", ""), str):
        raise MalformedNotificationError("notification resource associated_data is not a string")
    return envelope


def _decrypt(resource: Mapping[str, str], apiv3_key: str | bytes) -> dict[str, Any]:
    try:
        base64.b64decode(resource["ciphertext"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedNotificationError("notification ciphertext is not base64") from exc
    try:
        raw = crypto.aead_decrypt(
            apiv3_key,
            resource["nonce"],
            resource.get("associated_data") or "",  # empty associated_data is legitimate
            resource["ciphertext"],
        )
    except crypto.DecryptionError as exc:
        raise NotificationDecryptError(
            f"notification resource does not decrypt: {exc}. Check the merchant's APIv3 key."
        ) from exc
    return _json_object(raw, "decrypted notification resource")
