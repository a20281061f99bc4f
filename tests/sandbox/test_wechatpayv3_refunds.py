"""An independent client: the wechatpayv3 SDK 2.0.4 queries orders, refunds, queries refunds and
opens a refund notification. The SDK signs its own requests and verifies every 2xx answer itself
(raising on a bad signature) and every notification (None when it does not verify), so these
tests pass only if the sandbox's order and refund answers are wire-compatible."""

from __future__ import annotations

import json
import time

from wechatpayv3 import WeChatPay, WeChatPayType

from tests.fixtures.sandbox import register_vector_merchant
from tests.sandbox.test_notifications import Receiver
from tests.sandbox.test_wechatpayv3_sdk import sdk


def complaint_order(sandbox, mchid: str) -> dict:
    [cid] = sandbox.control.create_complaints(mchid)
    [order] = sandbox.control.orders(complaint_id=cid)
    return order


def test_sdk_queries_an_order_both_ways(sandbox, sandbox_merchant):
    order = complaint_order(sandbox, sandbox_merchant.mchid)
    client = sdk(sandbox_merchant)

    by_id = client.query(transaction_id=order["transaction_id"])
    by_no = client.query(out_trade_no=order["out_trade_no"])

    assert by_id[0] == by_no[0] == 200, by_id
    assert json.loads(by_id[1]) == json.loads(by_no[1])
    assert json.loads(by_id[1])["amount"]["total"] == order["total"]


def test_sdk_refunds_replays_and_queries(sandbox, sandbox_merchant):
    order = complaint_order(sandbox, sandbox_merchant.mchid)
    client = sdk(sandbox_merchant)
    amount = {"refund": order["total"], "total": order["total"], "currency": "CNY"}

    code, text = client.refund(
        "RF-sdk-1", amount, transaction_id=order["transaction_id"], reason="商品已退货"
    )
    replay = client.refund("RF-sdk-1", amount, transaction_id=order["transaction_id"])

    assert code == 200, text
    assert json.loads(replay[1])["refund_id"] == json.loads(text)["refund_id"]
    deadline = time.monotonic() + 10
    while json.loads(client.query_refund("RF-sdk-1")[1])["status"] == "PROCESSING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    code, text = client.query_refund("RF-sdk-1")
    assert (code, json.loads(text)["status"]) == (200, "SUCCESS")
    assert client.query(transaction_id=order["transaction_id"])[0] == 200


def test_sdk_over_refund_gets_the_documented_error(sandbox, sandbox_merchant):
    order = complaint_order(sandbox, sandbox_merchant.mchid)
    client = sdk(sandbox_merchant)
    amount = {"refund": order["total"] + 1, "total": order["total"], "currency": "CNY"}

    code, text = client.refund("RF-sdk-over", amount, transaction_id=order["transaction_id"])

    assert code == 400
    assert json.loads(text) == {
        "code": "INVALID_REQUEST",
        "message": "申请退款金额超过订单可退金额",
    }


def test_sdk_in_certificate_mode_refunds(sandbox, sandbox_merchant):
    order = complaint_order(sandbox, sandbox_merchant.mchid)
    client = sdk(sandbox_merchant, public_key_mode=False)
    amount = {"refund": 1, "total": order["total"], "currency": "CNY"}

    code, text = client.refund("RF-sdk-cert", amount, out_trade_no=order["out_trade_no"])

    assert code == 200, text


def test_sdk_in_partner_mode_queries_and_refunds_for_a_sub_merchant(sandbox, sandbox_merchant):
    sub = sandbox_merchant.mchid
    order = complaint_order(sandbox, sub)
    partner = register_vector_merchant(sandbox)
    sandbox.control.register_merchant(
        mchid=partner.mchid,
        kind="partner",
        sub_mchids=[sub],
        certificate_serial=partner.serial_no,
        certificate_pem=partner.certificate_pem,
        apiv3_key=partner.apiv3_key,
    )
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=partner.mchid,
        private_key=partner.private_key_pem,
        cert_serial_no=partner.serial_no,
        appid="wx8888888888888888",
        apiv3_key=partner.apiv3_key,
        public_key=partner.platform_public_key_pem,
        public_key_id=partner.platform_public_key_id,
        partner_mode=True,
        timeout=(5, 10),
    )
    client._core._gate_way = partner.base_url
    amount = {"refund": 2, "total": order["total"], "currency": "CNY"}

    queried = client.query(transaction_id=order["transaction_id"], sub_mchid=sub)
    refunded = client.refund(
        "RF-sdk-sp", amount, transaction_id=order["transaction_id"], sub_mchid=sub
    )
    looked_up = client.query_refund("RF-sdk-sp", sub_mchid=sub)

    assert queried[0] == 200, queried
    assert json.loads(queried[1])["sub_mchid"] == sub
    assert refunded[0] == looked_up[0] == 200, refunded


def test_sdk_verifies_and_decrypts_a_refund_notification(sandbox, sandbox_merchant):
    order = complaint_order(sandbox, sandbox_merchant.mchid)
    client = sdk(sandbox_merchant)
    receiver = Receiver()
    amount = {"refund": 3, "total": order["total"], "currency": "CNY"}
    try:
        client.refund(
            "RF-sdk-notify",
            amount,
            transaction_id=order["transaction_id"],
            notify_url=receiver.url,
        )
        [(headers, body, _)] = receiver.wait_for(1)
    finally:
        receiver.server.shutdown()

    opened = client.callback(headers, body)

    assert opened is not None, "the SDK did not verify the refund notification"
    assert opened["event_type"] == "REFUND.SUCCESS"
    assert opened["resource"]["out_refund_no"] == "RF-sdk-notify"
    assert opened["resource"]["refund_status"] == "SUCCESS"
    assert client.callback(headers, body.replace(b"REFUND.SUCCESS", b"REFUND.CLOSED")) is None
