"""Signed calls to the sandbox built from wechatpay.crypto and requests, nothing else."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.fixtures.sandbox import SandboxMerchant
from wechatpay import crypto

USER_AGENT = "complaint-console-tests/1.0"


@dataclass
class Signer:
    """Signs as one merchant; each knob exists so a test can break exactly one thing."""

    merchant: SandboxMerchant
    http: requests.Session = field(default_factory=requests.Session)
    public_key_mode: bool = True

    def __post_init__(self) -> None:
        self.private_key = crypto.load_private_key(self.merchant.private_key_pem)

    def authorization(
        self,
        method: str,
        target: str,
        body: bytes | str,
        *,
        timestamp: int | None = None,
        mchid: str | None = None,
        serial_no: str | None = None,
        private_key: Any = None,
    ) -> str:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = crypto.make_nonce()
        message = crypto.request_message(method, target, ts, nonce, body)
        return crypto.authorization_header(
            mchid=mchid or self.merchant.mchid,
            serial_no=serial_no or self.merchant.serial_no,
            timestamp=ts,
            nonce=nonce,
            signature=crypto.sign(private_key or self.private_key, message),
        )

    def headers(self, authorization: str | None, *, json_body: bool = True) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if json_body:
            headers["Content-Type"] = "application/json"
        if authorization is not None:
            headers["Authorization"] = authorization
        if self.public_key_mode:
            headers["Wechatpay-Serial"] = self.merchant.platform_public_key_id
        return headers

    def call(self, method: str, target: str, payload: Any = None, **auth: Any) -> requests.Response:
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        authorization = self.authorization(method, target, body, **auth)
        return self.http.request(
            method,
            self.merchant.base_url + target,
            data=body or None,
            headers=self.headers(authorization),
            timeout=10,
        )

    def upload(
        self, filename: str, content: bytes, *, meta: str | None = None, boundary: bool = True
    ) -> requests.Response:
        import hashlib

        meta = meta or json.dumps(
            {"filename": filename, "sha256": hashlib.sha256(content).hexdigest()},
            separators=(",", ":"),
        )
        target = "/v3/merchant-service/images/upload"
        prepared = requests.Request(
            "POST",
            self.merchant.base_url + target,
            files=[
                ("meta", (None, meta, "application/json")),
                ("file", (filename, content, "image/png")),
            ],
        ).prepare()
        headers = self.headers(self.authorization("POST", target, meta), json_body=False)
        headers["Content-Type"] = (
            prepared.headers["Content-Type"] if boundary else "multipart/form-data"
        )
        return self.http.post(
            self.merchant.base_url + target, data=prepared.body, headers=headers, timeout=10
        )


def verify_response(answer: requests.Response, merchant: SandboxMerchant) -> bool:
    """Check the platform signature over the exact body bytes, with the key the serial names."""
    serial = answer.headers["Wechatpay-Serial"]
    if serial == merchant.platform_public_key_id:
        key = crypto.load_public_key(merchant.platform_public_key_pem)
    elif serial == merchant.platform_certificate_serial:
        key = crypto.load_public_key(merchant.platform_certificate_pem)
    else:
        return False
    message = crypto.response_message(
        answer.headers["Wechatpay-Timestamp"], answer.headers["Wechatpay-Nonce"], answer.content
    )
    return crypto.verify(key, message, answer.headers["Wechatpay-Signature"])
