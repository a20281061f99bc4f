"""Complaint notifications: URL management, signed AEAD pushes, retries with one event id."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.sandbox.helpers import LIST, assert_error, assert_param_error
from tests.sandbox.signing import Signer
from wechatpay import crypto

NOTIFY = "/v3/merchant-service/complaint-notifications"


class Receiver:
    """A merchant's webhook: records every POST and answers with the scripted statuses."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes, float]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body, time.monotonic()))
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/wechatpay/complaints"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 10) -> list[tuple[dict, bytes, float]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.received) >= count, f"got {len(self.received)} of {count} notifications"
        return self.received


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


def register(signer: Signer, url: str) -> None:
    answer = signer.call("POST", NOTIFY, {"url": url})
    assert answer.status_code == 200, answer.text


def open_notification(headers: dict, body: bytes, merchant) -> dict:
    """Verify with the platform key named by Wechatpay-Serial, then decrypt the resource."""
    serial = headers["Wechatpay-Serial"]
    assert serial == merchant.platform_public_key_id
    key = crypto.load_public_key(merchant.platform_public_key_pem)
    message = crypto.response_message(
        headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"], body
    )
    assert crypto.verify(key, message, headers["Wechatpay-Signature"])
    assert headers["Wechatpay-Signature-Type"] == "WECHATPAY2-SHA256-RSA2048"
    envelope = json.loads(body)
    resource = envelope["resource"]
    plain = crypto.aead_decrypt(
        merchant.apiv3_key, resource["nonce"], resource["associated_data"], resource["ciphertext"]
    )
    return {**envelope, "resource": json.loads(plain)}


def test_notification_url_lifecycle(sandbox_merchant):
    signer = Signer(sandbox_merchant)
    url = "https://console.example.com/webhooks/wechatpay/1/complaints"

    assert_error(signer.call("GET", NOTIFY), 400, "RESOURCE_NOT_EXISTS")
    created = signer.call("POST", NOTIFY, {"url": url})
    assert created.json() == {"mchid": sandbox_merchant.mchid, "url": url}
    assert_error(signer.call("POST", NOTIFY, {"url": url}), 400, "INVALID_REQUEST")
    updated = signer.call("PUT", NOTIFY, {"url": url + "/v2"})
    assert updated.json()["url"] == url + "/v2"
    assert signer.call("GET", NOTIFY).json()["url"] == url + "/v2"
    deleted = signer.call("DELETE", NOTIFY)
    assert deleted.status_code == 204
    assert_error(signer.call("GET", NOTIFY), 400, "RESOURCE_NOT_EXISTS")


@pytest.mark.parametrize(
    "url",
    [
        "http://console.example.com/hook",
        "https://console.example.com/hook?mchid=1",
        "https://" + "a" * 250 + ".com/",
    ],
)
def test_notification_url_must_be_https_without_query(sandbox_merchant, url):
    assert_param_error(Signer(sandbox_merchant).call("POST", NOTIFY, {"url": url}), "url")


def test_loopback_http_urls_are_accepted_for_development(sandbox_merchant):
    signer = Signer(sandbox_merchant)
    port = urlsplit(settings.CONSOLE_PUBLIC_URL).port  # held by this run, never answers

    assert signer.call("POST", NOTIFY, {"url": f"http://localhost:{port}/h"}).status_code == 200
    assert signer.call("PUT", NOTIFY, {"url": f"http://127.0.0.1:{port}/h"}).status_code == 200


def test_new_complaint_is_pushed_signed_and_encrypted(sandbox, sandbox_merchant, receiver):
    register(Signer(sandbox_merchant), receiver.url)

    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)

    [(headers, body, _)] = receiver.wait_for(1)
    opened = open_notification(headers, body, sandbox_merchant)
    assert opened["event_type"] == "COMPLAINT.CREATE"
    assert opened["resource_type"] == "encrypt-resource"
    assert opened["resource"] == {"complaint_id": cid, "action_type": "CREATE_COMPLAINT"}
    assert headers["Request-ID"]


def test_user_actions_are_pushed_as_state_changes(sandbox, sandbox_merchant, receiver):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    register(Signer(sandbox_merchant), receiver.url)

    sandbox.control.user_action(cid, "message", content="在吗？")
    sandbox.control.user_action(cid, "apply_platform_service")

    received = receiver.wait_for(2)
    opened = [open_notification(h, b, sandbox_merchant) for h, b, _ in received]
    assert {o["event_type"] for o in opened} == {"COMPLAINT.STATE_CHANGE"}
    # Sent by several notifier threads at once: like WeChat's, their order is not guaranteed.
    assert sorted(o["resource"]["action_type"] for o in opened) == [
        "USER_APPLY_PLATFORM_SERVICE",
        "USER_RESPONSE",
    ]


def test_merchant_actions_are_not_pushed_by_default(sandbox, sandbox_merchant, receiver):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    register(signer, receiver.url)

    signer.call(
        "POST",
        f"{LIST}/{cid}/response",
        {"complainted_mchid": sandbox_merchant.mchid, "response_content": "已处理"},
    )
    sandbox.control.user_action(cid, "message", content="谢谢")

    received = receiver.wait_for(1)
    time.sleep(0.2)
    actions = [
        open_notification(h, b, sandbox_merchant)["resource"]["action_type"] for h, b, _ in received
    ]
    assert actions == ["USER_RESPONSE"]


def test_merchant_actions_are_pushed_when_switched_on(sandbox, sandbox_merchant, receiver):
    sandbox.control.settings(push_merchant_actions=True)
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    register(signer, receiver.url)

    signer.call("POST", f"{LIST}/{cid}/complete", {"complainted_mchid": sandbox_merchant.mchid})

    [(headers, body, _)] = receiver.wait_for(1)
    assert open_notification(headers, body, sandbox_merchant)["resource"]["action_type"] == (
        "MERCHANT_CONFIRM_COMPLETE"
    )


def test_failed_deliveries_are_retried_with_the_same_event_id(sandbox, sandbox_merchant, receiver):
    # time scale 0.01 (the fixture's): 5 s -> 50 ms, then 1 min -> 600 ms
    receiver.statuses = [500, 503, 404]
    register(Signer(sandbox_merchant), receiver.url)

    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)

    received = receiver.wait_for(4, timeout=15)
    ids = {json.loads(body)["id"] for _, body, _ in received}
    assert len(ids) == 1
    times = [at for _, _, at in received]
    assert 0.04 <= times[1] - times[0] < 0.5  # 5 s scaled
    assert 0.5 <= times[2] - times[1] < 1.5  # 1 min scaled
    [log] = sandbox.control.notifications(complaint_id=cid)
    assert log["status"] == "delivered"
    assert [a["outcome"] for a in log["attempts"]] == [
        "HTTP 500",
        "HTTP 503",
        "HTTP 404",
        "HTTP 204",
    ]


def test_unreachable_receiver_is_retried(sandbox, sandbox_merchant, receiver):
    signer = Signer(sandbox_merchant)
    register(signer, "http://127.0.0.1:9/unreachable")
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        [log] = sandbox.control.notifications(complaint_id=cid)
        if len(log["attempts"]) >= 2:
            break
        time.sleep(0.05)
    assert len(log["attempts"]) >= 2
    # Still being retried (between attempts, or in the next one): never delivered, never dropped.
    assert log["status"] in ("pending", "sending")
    assert all(a["outcome"].startswith("error") for a in log["attempts"])


def test_notifications_can_be_signed_with_the_platform_certificate(
    sandbox, sandbox_merchant, receiver
):
    sandbox.control.settings(notification_signer="certificate")
    register(Signer(sandbox_merchant), receiver.url)

    sandbox.control.create_complaints(sandbox_merchant.mchid)

    [(headers, body, _)] = receiver.wait_for(1)
    assert headers["Wechatpay-Serial"] == sandbox_merchant.platform_certificate_serial
    key = crypto.load_public_key(sandbox_merchant.platform_certificate_pem)
    message = crypto.response_message(
        headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"], body
    )
    assert crypto.verify(key, message, headers["Wechatpay-Signature"])


def test_signtest_probes_precede_deliveries_when_switched_on(sandbox, sandbox_merchant, receiver):
    sandbox.control.settings(notification_probes=True)
    receiver.statuses = [401]  # a receiver that verifies refuses the probe
    register(Signer(sandbox_merchant), receiver.url)

    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)

    (probe_headers, probe_body, _), (headers, body, _) = receiver.wait_for(2)
    assert probe_headers["Wechatpay-Signature"].startswith("WECHATPAY/SIGNTEST/")
    assert probe_body == body
    open_notification(headers, body, sandbox_merchant)
    [log] = sandbox.control.notifications(complaint_id=cid)
    assert [a["outcome"] for a in log["attempts"]] == ["probe HTTP 401", "HTTP 204"]


def test_creating_complaints_never_deadlocks_with_the_idle_notifier(tmp_path, monkeypatch):
    """Regression: poke() inside a store transaction once waited on the notifier's lock while the
    notifier, holding it, waited on the store. A slower idle read widens that window."""
    from sandbox import notifier
    from sandbox.app import Sandbox
    from sandbox.complaints import create_complaints

    work = notifier.Notifier._work

    def slow_work(self: notifier.Notifier) -> float:
        time.sleep(0.002)
        return work(self)

    monkeypatch.setattr(notifier.Notifier, "_work", slow_work)
    app = Sandbox(tmp_path)
    app.start()
    created: list[str] = []

    def create() -> None:
        for _ in range(10):
            created.extend(
                create_complaints(
                    app, mchid="1900000001", count=50, need_immediate_service=False,
                    problem_type=None, overrides={},
                )
            )  # fmt: skip

    worker = threading.Thread(target=create, daemon=True)
    worker.start()
    worker.join(timeout=30)
    try:
        assert not worker.is_alive(), "creating complaints deadlocked with the notifier"
        assert len(created) == 500
    finally:
        if not worker.is_alive():
            app.stop()
