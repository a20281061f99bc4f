"""Request verification and response signing, in the order WeChat Pay applies them (§5, §9)."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable

from sandbox.keys import PlatformKeys
from sandbox.store import Merchant, Store
from sandbox.web import ApiError, Request, Response
from wechatpay import crypto

WINDOW_SECONDS = 300
STALE_MESSAGE = "Http头Authorization中的timestamp与发起请求的时间不得超过5分钟"


def _sign_error(message: str, issue: str, **extra: object) -> ApiError:
    detail: dict[str, object] = {
        "field": "signature",
        "location": "authorization",
        "detail": {"issue": issue},
    }
    detail.update(extra)
    return ApiError(401, "SIGN_ERROR", message, detail)


def check_headers(request: Request) -> None:
    """Accept and User-Agent are mandatory on every call (FAQ Q1)."""
    if not request.header("Accept") or not request.header("User-Agent"):
        raise ApiError(
            400,
            "INVALID_REQUEST",
            "头部信息不完整",
            {"issue": "the Accept and User-Agent headers are required"},
        )


def _parse(request: Request) -> dict[str, str]:
    header = request.header("Authorization")
    if not header:
        raise _sign_error("Http头缺少Authorization", "the Authorization header is missing")
    try:
        return crypto.parse_authorization(header)
    except crypto.CryptoError as exc:
        raise _sign_error("Http头Authorization值格式错误", str(exc)) from exc


def _check_window(timestamp: str, now: float) -> None:
    if not (timestamp.isdigit() and len(timestamp) == 10):
        raise _sign_error(STALE_MESSAGE, "timestamp must be Unix seconds (10 digits)")
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        raise _sign_error(STALE_MESSAGE, "timestamp is more than 5 minutes from the server clock")


def verify_request(
    request: Request,
    store: Store,
    sign_body: Callable[[], bytes],
    now: float | None = None,
) -> tuple[Merchant, str]:
    """Return the calling merchant and the serial it signed with, or raise the WeChat error.

    sign_body is called only once the header checks pass: for uploads it parses the multipart
    body, so a malformed upload without credentials still reports the missing credentials.
    """
    check_headers(request)
    auth = _parse(request)
    _check_window(auth["timestamp"], time.time() if now is None else now)
    merchant = store.merchant(auth["mchid"])
    if merchant is None:
        raise _sign_error("商户号不存在或未注册到沙箱", f"mchid {auth['mchid']} is not registered")
    serial = auth["serial_no"].upper()
    public_key = merchant.keys.get(serial)
    if public_key is None:
        raise _sign_error(
            "商户API证书序列号错误",
            f"serial_no {serial} is not a registered certificate of mchid {merchant.mchid}",
        )
    message = crypto.request_message(
        request.method, request.target, auth["timestamp"], auth["nonce_str"], sign_body()
    )
    if not crypto.verify(public_key, message, auth["signature"]):
        raise _sign_error(
            "错误的签名，验签失败",
            "sign not match",
            sign_information={
                "method": request.method,
                "url": request.target,
                "sign_message_length": len(message),
                "truncated_sign_message": _truncated(message),
            },
        )
    return merchant, serial


def _truncated(message: bytes) -> str:
    """First four lines and 8 characters of the body, as WeChat shows them."""
    lines = message.decode("utf-8", "replace").split("\n")
    return "\n".join(lines[:4]) + "\n" + lines[4][:8] + "\n"


def sign_response(response: Response, platform: PlatformKeys, requested_serial: str) -> None:
    """Add the Wechatpay-* headers; the signature covers the exact body bytes sent."""
    serial, key = platform.signer_for(requested_serial)
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(16).upper()
    message = crypto.response_message(timestamp, nonce, response.body)
    response.headers.update(
        {
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": crypto.sign(key, message),
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Serial": serial,
            "Wechatpay-Signature-Type": crypto.SIGNATURE_TYPE,
        }
    )


def new_request_id() -> str:
    return uuid.uuid4().hex.upper() + "-0"
