"""An independent client: the wechatpayv3 SDK 2.0.4 drives the sandbox end to end.

The SDK signs, posts multipart without a boundary parameter, and verifies every 2xx answer itself
(raising on a bad signature), so these tests pass only if the sandbox is wire-compatible.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from wechatpayv3 import WeChatPay, WeChatPayType

from sandbox.seed import png


def sdk(merchant, *, public_key_mode: bool = True) -> WeChatPay:
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=merchant.mchid,
        private_key=merchant.private_key_pem,
        cert_serial_no=merchant.serial_no,
        appid="wx8888888888888888",
        apiv3_key=merchant.apiv3_key,
        public_key=merchant.platform_public_key_pem,
        public_key_id=merchant.platform_public_key_id,
        timeout=(5, 10),
    )
    client._core._gate_way = merchant.base_url
    if not public_key_mode:
        # Certificate mode: forget the public key so the SDK fetches /v3/certificates, decrypts
        # them with the APIv3 key and verifies answers by the certificate serial.
        client._core._public_key = None
        client._core._public_key_id = None
        client._core._update_certificates()
    return client


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "处理凭证.png"
    path.write_bytes(png(32, 32))
    return str(path)


def test_sdk_uploads_replies_and_reads_history(sandbox, sandbox_merchant, image):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    client = sdk(sandbox_merchant)

    code, text = client.complaint_image_upload(image)
    assert code == 200, text
    media_id = json.loads(text)["media_id"]

    code, text = client.complaint_response(
        cid,
        "您好，我们已核实并为您补发商品。",
        response_images=[media_id],
        jump_url="https://shop.example.com/orders/1",
        jump_url_text="查看订单",
    )
    assert code == 204, text

    code, text = client.complaint_history_query(cid)
    assert code == 200, text
    history = json.loads(text)
    last = history["data"][-1]
    assert last["operate_type"] == "MERCHANT_RESPONSE"
    assert last["operate_details"] == "您好，我们已核实并为您补发商品。"
    assert last["image_list"][0].endswith(media_id)
    assert history["total_count"] == 2
    [reply] = sandbox.control.replies(complaint_id=cid)
    assert reply["body"]["response_images"] == [media_id]


def test_sdk_lists_reads_detail_decrypts_phone_and_completes(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, payer_phone="13800138000")
    client = sdk(sandbox_merchant)

    code, text = client.complaint_list_query(limit=50)
    assert code == 200, text
    assert [c["complaint_id"] for c in json.loads(text)["data"]] == [cid]

    code, text = client.complaint_detail_query(cid)
    detail = json.loads(text)
    assert client.decrypt(detail["payer_phone"]) == "13800138000"
    assert detail["payer_openid"]

    media_url = detail["complaint_media_list"][0]["media_url"][0]
    code, content = client.complaint_image_download(media_url)
    assert code == 200
    assert content.startswith(b"\x89PNG")

    code, text = client.complaint_complete(cid)
    assert code == 204, text


def test_sdk_manages_the_notification_url(sandbox_merchant):
    client = sdk(sandbox_merchant)
    url = f"https://console.example.com/webhooks/wechatpay/{sandbox_merchant.mchid}/complaints"

    assert client.complaint_notification_create(url)[0] == 200
    assert json.loads(client.complaint_notification_query()[1])["url"] == url
    assert client.complaint_notification_delete()[0] == 204


def test_sdk_refund_decision(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, problem_type="REFUND")
    client = sdk(sandbox_merchant)

    code, text = client.complaint_update_refund(cid, "APPROVE", launch_refund_day=0)

    assert code == 204, text


def test_sdk_in_certificate_mode(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    client = sdk(sandbox_merchant, public_key_mode=False)
    assert len(client._core._certificates) == 1

    code, text = client.complaint_detail_query(cid)

    assert code == 200, text


def test_sdk_verifies_and_decrypts_a_notification(sandbox, sandbox_merchant):
    client = sdk(sandbox_merchant)
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(client.callback(dict(self.headers), body))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client.complaint_notification_create(f"http://127.0.0.1:{server.server_address[1]}/hook")
        [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        server.shutdown()

    assert received, "no notification arrived"
    assert received[0]["resource"] == {"complaint_id": cid, "action_type": "CREATE_COMPLAINT"}
