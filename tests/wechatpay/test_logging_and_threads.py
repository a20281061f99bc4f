"""What the client logs, and that one client and one verifier can be shared by threads."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.wechatpay.conftest import make_verifier, read_key
from tests.wechatpay.recording_server import RecordingServer, Reply
from wechatpay import Client, crypto

CID = "200201820261128080076610000"


def test_log_line_has_method_path_status_duration_and_request_id_but_no_secrets(
    client: Client,
    server: RecordingServer,
    caplog: pytest.LogCaptureFixture,
    vectors: dict[str, Any],
) -> None:
    caplog.set_level(logging.DEBUG, logger="wechatpay")
    server.reply(Reply(200, {"log_id": "L1"}))

    client.respond_immediate_service(
        CID, complainted_mchid="1900000109", message={"blocks": []}, idempotent_id="i-1"
    )

    line = caplog.records[-1].getMessage()
    assert (
        f"POST /v3/merchant-service/complaints-v2/{CID}/response-immediate-service -> 200" in line
    )
    assert " ms " in line and "TEST-1" in line
    signature = crypto.parse_authorization(server.last.headers["Authorization"])["signature"]
    for secret in (signature, "WECHATPAY2", vectors["apiv3_key"], "PRIVATE KEY", "blocks"):
        assert secret not in caplog.text


def test_one_client_serves_many_threads(client: Client, server: RecordingServer) -> None:
    server.default = Reply(200, {"log_id": "L"})

    def reply(i: int) -> str:
        return client.respond_immediate_service(
            CID, complainted_mchid="1900000109", message={"blocks": []}, idempotent_id=f"i-{i}"
        )

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(reply, range(64))) == ["L"] * 64
    assert sorted(r.body for r in server.requests) == sorted(
        f'{{"complainted_mchid":"1900000109","message":{{"blocks":[]}},"idempotent_id":"i-{i}"}}'.encode()
        for i in range(64)
    )


def test_verifier_verifies_while_certificates_are_added(
    vectors: dict[str, Any], platform_private_key: Any, public_key_id: str
) -> None:
    verifier = make_verifier(vectors, certs=False)
    cert = read_key(vectors["platform"]["certificate"])
    body = b'{"ok":true}'
    ts, nonce = "1796000000", "N" * 32
    headers = {
        "Wechatpay-Timestamp": ts,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": crypto.sign(
            platform_private_key, crypto.response_message(ts, nonce, body)
        ),
        "Wechatpay-Serial": public_key_id,
    }
    verifier = make_verifier(vectors, clock=lambda: 1796000000, certs=False)

    def work(i: int) -> str:
        if i % 10 == 0:
            return verifier.add_certificate(cert)
        return verifier.verify(headers, body)

    with ThreadPoolExecutor(8) as pool:
        results = set(pool.map(work, range(200)))
    assert results == {public_key_id, vectors["platform"]["certificate_serial_no"]}
