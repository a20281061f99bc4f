"""The complaint notification URL endpoints (create, update, query, delete): the exact requests
on the wire, captured by a local recording HTTP server that answers like WeChat Pay."""

from __future__ import annotations

from typing import Any

import pytest

from tests.wechatpay.recording_server import RecordingServer, Reply
from tests.wechatpay.request_checks import MCHID, assert_signed
from wechatpay import Client, MerchantCredentials


@pytest.mark.parametrize(
    ("call", "method", "body"),
    [
        (lambda c: c.create_notification_url("https://console.example.com/wx"), "POST", True),
        (lambda c: c.update_notification_url("https://console.example.com/wx"), "PUT", True),
        (lambda c: c.get_notification_url(), "GET", False),
    ],
    ids=["create", "update", "query"],
)
def test_notification_url_endpoints(
    client: Client,
    server: RecordingServer,
    credentials: MerchantCredentials,
    call: Any,
    method: str,
    body: bool,
) -> None:
    server.reply(Reply(200, {"mchid": MCHID, "url": "https://console.example.com/wx"}))

    result = call(client)

    assert (result.mchid, result.url) == (MCHID, "https://console.example.com/wx")
    sent = server.last
    assert (sent.method, sent.target) == (method, "/v3/merchant-service/complaint-notifications")
    assert sent.body == (b'{"url":"https://console.example.com/wx"}' if body else b"")
    assert_signed(sent, credentials, sent.body)


def test_delete_notification_url(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    assert client.delete_notification_url() is None
    sent = server.last
    assert (sent.method, sent.target, sent.body) == (
        "DELETE",
        "/v3/merchant-service/complaint-notifications",
        b"",
    )
    assert_signed(sent, credentials, b"")
