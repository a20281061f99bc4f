"""The client reports what each call got back (status, Request-ID, time), with no log reading:
through `client.recording()` and on errors raised after an answer (`exc.call`)."""

from __future__ import annotations

import logging
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.wechatpay.recording_server import RecordingServer, Reply
from wechatpay import (
    ApiError,
    CallInfo,
    Client,
    MerchantCredentials,
    SignatureError,
    TransportError,
    Verifier,
)

CID = "200201820261128080076610000"
MCHID = "1900000109"
PATH = f"/v3/merchant-service/complaints-v2/{CID}"


def test_recording_lists_each_answered_call_with_status_and_request_id(
    client: Client, server: RecordingServer
) -> None:
    server.reply(Reply(204, b""))
    server.reply(Reply(200, {"log_id": "L1"}))

    with client.recording() as calls:
        client.complete(CID, complainted_mchid=MCHID)
        client.respond_immediate_service(
            CID, complainted_mchid=MCHID, message={"blocks": []}, idempotent_id="i-1"
        )

    assert [(c.method, c.path, c.status, c.request_id) for c in calls] == [
        ("POST", f"{PATH}/complete", 204, "TEST-1"),
        ("POST", f"{PATH}/response-immediate-service", 200, "TEST-2"),
    ]
    assert all(isinstance(c, CallInfo) and c.duration_ms >= 0 for c in calls)


def test_recording_does_not_need_the_wechatpay_logger(
    client: Client, server: RecordingServer
) -> None:
    logging.getLogger("wechatpay").setLevel(logging.ERROR)  # pytest's caplog resets levels
    try:
        server.reply(Reply(204, b""))
        with client.recording() as calls:
            client.complete(CID, complainted_mchid=MCHID)
    finally:
        logging.getLogger("wechatpay").setLevel(logging.NOTSET)
    assert [c.status for c in calls] == [204]


def test_calls_outside_the_block_are_not_recorded(client: Client, server: RecordingServer) -> None:
    server.default = Reply(204, b"")
    with client.recording() as calls:
        pass
    client.complete(CID, complainted_mchid=MCHID)
    assert calls == []


def test_api_error_carries_the_call_that_raised_it(client: Client, server: RecordingServer) -> None:
    server.reply(Reply(500, {"code": "SYSTEM_ERROR", "message": "x"}, signed=False))
    with client.recording() as calls, pytest.raises(ApiError) as caught:
        client.complete(CID, complainted_mchid=MCHID)
    assert caught.value.call == calls[0]
    assert (caught.value.call.status, caught.value.call.request_id) == (500, "TEST-1")


def test_a_2xx_that_fails_verification_says_it_was_a_2xx(
    client: Client, server: RecordingServer
) -> None:
    server.reply(Reply(200, {"log_id": "1"}, signature="AAAA"))
    with pytest.raises(SignatureError) as caught:
        client.respond_immediate_service(
            CID, complainted_mchid=MCHID, message={"blocks": []}, idempotent_id="i-1"
        )
    assert caught.value.call is not None and caught.value.call.status == 200


def test_a_transport_failure_has_no_call(credentials: MerchantCredentials, verifier: Verifier):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    client = Client(credentials, verifier, base_url=f"http://127.0.0.1:{closed}", backup_url=None)
    with client, client.recording() as calls, pytest.raises(TransportError) as caught:
        client.complete(CID, complainted_mchid=MCHID)
    assert caught.value.call is None and calls == []


def test_threads_sharing_a_client_each_record_their_own_calls(
    client: Client, server: RecordingServer
) -> None:
    server.default = Reply(204, b"")

    def calls_of_one_thread(count: int) -> int:
        with client.recording() as calls:
            for _ in range(count):
                client.complete(CID, complainted_mchid=MCHID)
        return len(calls)

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(calls_of_one_thread, [1, 2, 3, 4] * 4)) == [1, 2, 3, 4] * 4
