"""Acting as WeChat Pay towards the console's webhook: notifications signed with the sandbox's own
platform key (read from its data directory), so tests can replay, age or forge them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests

from wechatpay import crypto


def platform_signer(sandbox) -> tuple[str, object]:
    """(Wechatpay-Serial, private key) the sandbox signs notifications with (public-key mode)."""
    directory = Path(sandbox.data_dir) / "platform"
    info = json.loads((directory / "platform.json").read_text())
    key = crypto.load_private_key((directory / "platform_public_key_private.pem").read_bytes())
    return info["public_key_id"], key


def certificate_signer(sandbox) -> tuple[str, object]:
    """(Wechatpay-Serial, private key) of the sandbox's platform certificate (certificate mode)."""
    directory = Path(sandbox.data_dir) / "platform"
    key = crypto.load_private_key((directory / "platform_certificate_private.pem").read_bytes())
    return sandbox.control.health()["certificate_serial"], key


def signed_headers(serial: str, key, body: bytes, *, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = crypto.make_nonce()
    signature = crypto.sign(key, crypto.response_message(timestamp, nonce, body))
    return {
        "Content-Type": "application/json",
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": signature,
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        "Request-ID": "test-" + nonce[:8],
    }


def encode(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post(url: str, body: bytes, headers: dict) -> requests.Response:
    return requests.post(url, data=body, headers=headers, timeout=10)
