"""Error mapping over real HTTP: WeChat errors, 2xx that fail verification, transport failures."""

from __future__ import annotations

import socket
import time
from datetime import date
from typing import Any

import pytest

from tests.wechatpay.recording_server import RecordingServer, Reply
from wechatpay import (
    ApiError,
    Client,
    InvalidArgumentError,
    MerchantCredentials,
    MissingHeadersError,
    SignatureError,
    StaleTimestampError,
    TransportError,
    UnknownSerialError,
    VerificationError,
    Verifier,
)

CID = "200201820261128080076610000"
MCHID = "1900000109"


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        (400, "PARAM_ERROR", False),
        (400, "INVALID_REQUEST", False),
        (401, "SIGN_ERROR", False),
        (403, "NO_AUTH", False),
        (400, "RESOURCE_NOT_EXISTS", False),
        (404, "RESOURCE_NOT_EXISTS", False),
        (429, "FREQUENCY_LIMITED", True),
        (500, "SYSTEM_ERROR", True),
        (503, "SERVICE_UNAVAILABLE", True),
    ],
)
def test_wechat_error_becomes_api_error_with_every_field(
    client: Client, server: RecordingServer, status: int, code: str, retryable: bool
) -> None:
    detail = {"field": "/body/response_content", "location": "body", "value": 600}
    server.reply(Reply(status, {"code": code, "message": "出错了", "detail": detail}, signed=False))

    with pytest.raises(ApiError) as caught:
        client.complete(CID, complainted_mchid=MCHID)

    error = caught.value
    assert (error.status, error.code, error.message, error.detail) == (
        status,
        code,
        "出错了",
        detail,
    )
    assert error.request_id == "TEST-1"
    assert error.retryable is retryable
    assert code in str(error) and "TEST-1" in str(error)


def test_error_without_json_body_keeps_status_and_text(
    client: Client, server: RecordingServer
) -> None:
    server.reply(Reply(502, b"<html>Bad Gateway</html>", signed=False))
    with pytest.raises(ApiError) as caught:
        client.get_complaint(CID)
    assert (caught.value.status, caught.value.code) == (502, "HTTP_502")
    assert "Bad Gateway" in caught.value.message
    assert caught.value.retryable


@pytest.mark.parametrize(
    ("make_reply", "error"),
    [
        (lambda: Reply(200, {"log_id": "1"}, signed=False), MissingHeadersError),
        # Timestamps are taken when the test runs, not when it is collected.
        (
            lambda: Reply(200, {"log_id": "1"}, timestamp=int(time.time()) - 301),
            StaleTimestampError,
        ),
        (
            lambda: Reply(200, {"log_id": "1"}, timestamp=int(time.time()) + 400),
            StaleTimestampError,
        ),
        (
            lambda: Reply(
                200, {"log_id": "1"}, serial="PUB_KEY_ID_0000000000000000000000000000000000"
            ),
            UnknownSerialError,
        ),
        (lambda: Reply(200, {"log_id": "1"}, signature="WECHATPAY/SIGNTEST/abc"), SignatureError),
        (lambda: Reply(200, {"log_id": "1"}, signature="AAAA"), SignatureError),
    ],
    ids=["unsigned", "stale", "future", "unknown-serial", "signtest-probe", "bad-signature"],
)
def test_2xx_that_fails_verification_raises_instead_of_returning_data(
    client: Client, server: RecordingServer, make_reply, error: type[VerificationError]
) -> None:
    server.reply(make_reply())
    with pytest.raises(error) as caught:
        client.respond_immediate_service(
            CID, complainted_mchid=MCHID, message={"blocks": []}, idempotent_id="idem-1"
        )
    assert caught.value.request_id == "TEST-1"
    assert not caught.value.retryable


def test_204_with_missing_one_header_is_rejected(client: Client, server: RecordingServer) -> None:
    server.reply(Reply(204, headers={"Wechatpay-Nonce": ""}))
    with pytest.raises(MissingHeadersError, match="Wechatpay-Nonce"):
        client.complete(CID, complainted_mchid=MCHID)


def test_unknown_certificate_serial_downloads_certificates_only_once_per_interval(
    client: Client, server: RecordingServer
) -> None:
    stranger = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    server.reply(
        Reply(204, serial=stranger),
        Reply(200, {"data": []}),  # /v3/certificates: nothing new
        Reply(204, serial=stranger),
    )
    for _ in range(2):
        with pytest.raises(UnknownSerialError, match=stranger):
            client.complete(CID, complainted_mchid=MCHID)
    assert [r.target.split("/")[-1] for r in server.requests] == [
        "complete",
        "certificates",
        "complete",
    ]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_refused_connection_fails_over_to_backup_host(
    credentials: MerchantCredentials, verifier: Verifier, server: RecordingServer
) -> None:
    with Client(
        credentials,
        verifier,
        base_url=f"http://127.0.0.1:{_closed_port()}",
        backup_url=server.base_url,
    ) as client:
        client.complete(CID, complainted_mchid=MCHID)
    assert server.last.target.endswith("/complete")


def test_refused_connection_without_backup_is_a_retryable_transport_error(
    credentials: MerchantCredentials, verifier: Verifier
) -> None:
    with (
        Client(
            credentials, verifier, base_url=f"http://127.0.0.1:{_closed_port()}", backup_url=None
        ) as client,
        pytest.raises(TransportError, match="cannot connect") as caught,
    ):
        client.get_complaint(CID)
    assert caught.value.retryable
    assert caught.value.maybe_sent is False


def test_read_timeout_is_a_retryable_transport_error_and_is_not_failed_over(
    credentials: MerchantCredentials, verifier: Verifier, server: RecordingServer
) -> None:
    def slow(_: Any) -> Reply:
        time.sleep(0.5)
        return Reply(204)

    server.reply(slow)
    with (
        Client(
            credentials,
            verifier,
            base_url=server.base_url,
            backup_url=server.base_url,
            timeout=(1.0, 0.1),
        ) as client,
        pytest.raises(TransportError, match="no answer") as caught,
    ):
        client.complete(CID, complainted_mchid=MCHID)
    assert caught.value.retryable and caught.value.maybe_sent
    time.sleep(0.5)
    assert len(server.requests) == 1  # a POST that may have arrived is never sent twice


def test_timeouts_must_be_set(credentials: MerchantCredentials, verifier: Verifier) -> None:
    with pytest.raises(InvalidArgumentError, match="timeout"):
        Client(credentials, verifier, timeout=(0, 10))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.respond(CID, complainted_mchid=MCHID, response_content=""),
            "response_content",
        ),
        (
            lambda c: c.respond(
                CID, complainted_mchid=MCHID, response_content="x", response_images=["a"] * 5
            ),
            "at most 4",
        ),
        (
            lambda c: c.respond(
                CID, complainted_mchid=MCHID, response_content="x", jump_url="https://a.cn"
            ),
            "together",
        ),
        (lambda c: c.update_refund_progress(CID, action="MAYBE"), "APPROVE or REJECT"),
        (
            lambda c: c.update_refund_progress(CID, action="REJECT", launch_refund_day=1),
            "only allowed",
        ),
        (
            lambda c: c.download_image("https://evil.example.com/v3/merchant-service/images/a"),
            "not WeChat",
        ),
        (lambda c: c.create_notification_url("http://insecure.example.com/wx"), "https"),
        (
            lambda c: list(
                c.iter_complaints(
                    begin=date(2026, 2, 1),
                    end=date(2026, 1, 1),
                )
            ),
            "after",
        ),
    ],
    ids=[
        "empty-reply",
        "five-images",
        "jump-url-alone",
        "bad-action",
        "refund-day-on-reject",
        "foreign-media-host",
        "http-notify-url",
        "reversed-dates",
    ],
)
def test_bad_arguments_are_refused_before_sending(
    client: Client, server: RecordingServer, call: Any, message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        call(client)
    assert server.requests == []


PNG = bytes.fromhex("89504e470d0a1a0a") + b"0" * 16
ENDPOINT_CALLS = {
    "list": lambda c: list(c.iter_complaints(date(2026, 1, 1), date(2026, 1, 2))),
    "detail": lambda c: c.get_complaint(CID),
    "history": lambda c: list(c.iter_negotiation_history(CID)),
    "respond": lambda c: c.respond(CID, complainted_mchid=MCHID, response_content="好"),
    "immediate": lambda c: c.respond_immediate_service(
        CID, complainted_mchid=MCHID, message={"blocks": []}, idempotent_id="i"
    ),
    "complete": lambda c: c.complete(CID, complainted_mchid=MCHID),
    "refund": lambda c: c.update_refund_progress(CID, action="APPROVE"),
    "upload": lambda c: c.upload_image(PNG, "a.png"),
    "download": lambda c: c.download_image("/v3/merchant-service/images/abc%3D"),
    "notify-create": lambda c: c.create_notification_url("https://a.example.com/n"),
    "notify-query": lambda c: c.get_notification_url(),
    "notify-update": lambda c: c.update_notification_url("https://a.example.com/n"),
    "notify-delete": lambda c: c.delete_notification_url(),
    "certificates": lambda c: c.refresh_platform_certificates(),
}


@pytest.mark.parametrize("endpoint", ENDPOINT_CALLS)
@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [(400, "PARAM_ERROR", False), (403, "NO_AUTH", False), (500, "SYSTEM_ERROR", True)],
)
def test_every_endpoint_maps_errors_the_same_way(
    client: Client, server: RecordingServer, endpoint: str, status: int, code: str, retryable: bool
) -> None:
    server.reply(Reply(status, {"code": code, "message": "m"}, signed=False))
    with pytest.raises(ApiError) as caught:
        ENDPOINT_CALLS[endpoint](client)
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        status,
        code,
        retryable,
    )
    assert caught.value.request_id == "TEST-1"
    assert len(server.requests) == 1


def test_emoji_is_refused_locally_naming_the_field(client: Client, server: RecordingServer) -> None:
    message = {"blocks": [{"type": "TEXT", "text": {"text": "谢谢 😀"}}]}
    with pytest.raises(InvalidArgumentError, match=r"message\.blocks\.0\.text\.text"):
        client.respond_immediate_service(
            CID, complainted_mchid=MCHID, message=message, idempotent_id="i"
        )
    assert server.requests == []


def test_three_byte_characters_are_sent(client: Client, server: RecordingServer) -> None:
    client.respond(CID, complainted_mchid=MCHID, response_content="您好，€ ✓ 已处理")
    assert "您好，€ ✓ 已处理".encode() in server.last.body
