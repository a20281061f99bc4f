"""Checks for the exact request on the wire, shared by the client request tests: the known-answer
vectors, the ids they use, the signature and common headers of a recorded request, and a
complaint as WeChat Pay returns it."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.wechatpay.conftest import VECTORS_DIR
from tests.wechatpay.recording_server import Recorded
from wechatpay import MerchantCredentials, crypto

VECTORS = json.loads((VECTORS_DIR / "vectors.json").read_text())
CID = "200201820261128080076610000"
MCHID = "1900000109"
PNG = base64.b64decode(VECTORS["upload"]["file_base64"])


def assert_signed(recorded: Recorded, credentials: MerchantCredentials, sign_body: bytes) -> None:
    """The Authorization header verifies with the merchant's public key over exactly the target
    and body the server received."""
    auth = crypto.parse_authorization(recorded.headers["Authorization"])
    assert auth["mchid"] == credentials.mchid
    assert auth["serial_no"] == credentials.serial_no
    message = crypto.request_message(
        recorded.method, recorded.target, auth["timestamp"], auth["nonce_str"], sign_body
    )
    public = credentials.private_key.public_key()
    assert crypto.verify(public, message, auth["signature"])


def assert_common_headers(recorded: Recorded, accept: str = "application/json") -> None:
    assert recorded.headers["Accept"] == accept
    assert recorded.headers["User-Agent"] == "complaint-console-tests/0.1"
    assert recorded.headers["Wechatpay-Serial"] == VECTORS["platform"]["public_key_id"]


def complaint(cid: str, **extra: Any) -> dict[str, Any]:
    return {
        "complaint_id": cid,
        "complaint_time": "2026-11-28T10:00:00.120+08:00",
        "complaint_detail": "充电宝未归还",
        "complaint_state": "PENDING",
        "complainted_mchid": MCHID,
        "complaint_full_refunded": False,
        "incoming_user_response": False,
        "problem_description": "退款问题",
        "user_complaint_times": 1,
        **extra,
    }
