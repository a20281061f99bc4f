"""Order query, refund create and refund query: the exact request on the wire, the typed answer,
local argument checks and the retryable/final mapping of the refund error codes, over real HTTP
to the local recording server (answers signed with the test platform key)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.wechatpay.recording_server import RecordingServer, Reply
from tests.wechatpay.request_checks import assert_common_headers, assert_signed
from wechatpay import (
    ApiError,
    Client,
    InvalidArgumentError,
    MerchantCredentials,
    MissingHeadersError,
    PaymentApiError,
)

MCHID = "1900000109"
TXN = "4200001460202207148197935963"
ORDER = {
    "amount": {"currency": "CNY", "payer_currency": "CNY", "payer_total": 90, "total": 100},
    "appid": "wxd678efh567hg6787",
    "attach": "",
    "bank_type": "BOC_CREDIT",
    "mchid": MCHID,
    "out_trade_no": "TC20220714153445",
    "payer": {"openid": "ol6J0000"},
    "promotion_detail": [],
    "success_time": "2022-07-14T15:34:45+08:00",
    "trade_state": "SUCCESS",
    "trade_state_desc": "支付成功",
    "trade_type": "JSAPI",
    "transaction_id": TXN,
}
REFUND = {
    "refund_id": "50000000382019052709732678859",
    "out_refund_no": "RF-1",
    "transaction_id": TXN,
    "out_trade_no": "TC20220714153445",
    "channel": "ORIGINAL",
    "user_received_account": "招商银行信用卡0403",
    "create_time": "2020-12-01T16:18:12+08:00",
    "status": "PROCESSING",
    "funds_account": "UNSETTLED",
    "amount": {
        "total": 100,
        "refund": 40,
        "payer_total": 100,
        "payer_refund": 40,
        "settlement_refund": 40,
        "settlement_total": 100,
        "discount_refund": 0,
        "currency": "CNY",
        "from": [],
    },
}


def test_order_by_transaction_id_is_a_signed_get_with_mchid_and_typed_answer(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(Reply(200, ORDER))

    order = client.get_order(transaction_id=TXN)

    sent = server.last
    assert (sent.method, sent.target, sent.body) == (
        "GET",
        f"/v3/pay/transactions/id/{TXN}?mchid={credentials.mchid}",
        b"",
    )
    assert "Content-Type" not in sent.headers
    assert_common_headers(sent)
    assert_signed(sent, credentials, b"")
    assert (order.trade_state, order.total, order.payer_total, order.currency) == (
        "SUCCESS",
        100,
        90,
        "CNY",
    )
    assert (order.transaction_id, order.out_trade_no, order.paid) == (
        TXN,
        "TC20220714153445",
        True,
    )
    assert order.success_at == datetime(2022, 7, 14, 7, 34, 45, tzinfo=UTC)


def test_order_by_out_trade_no_for_a_sub_merchant_uses_the_partner_path(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    partner = {
        k: v for k, v in ORDER.items() if k not in ("mchid", "appid", "amount", "success_time")
    }
    partner.update(sp_mchid=MCHID, sub_mchid="1900000001", trade_state="NOTPAY")
    server.reply(Reply(200, partner))

    order = client.get_order(out_trade_no="TC2022|07*14", sub_mchid="1900000001")

    assert server.last.target == (
        "/v3/pay/partner/transactions/out-trade-no/TC2022%7C07%2A14"
        f"?sp_mchid={credentials.mchid}&sub_mchid=1900000001"
    )
    assert_signed(server.last, credentials, b"")
    assert (order.sub_mchid, order.total, order.paid, order.success_at) == (
        "1900000001",
        0,
        False,
        None,
    )


def test_create_refund_sends_compact_json_in_documented_order_and_returns_the_refund(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(Reply(200, REFUND))

    refund = client.create_refund(
        out_refund_no="RF-1",
        transaction_id=TXN,
        refund_amount=40,
        total_amount=100,
        reason="商品已退货",
        notify_url="https://console.example.com/wechatpay/refund-notify",
    )

    sent = server.last
    assert (sent.method, sent.target) == ("POST", "/v3/refund/domestic/refunds")
    assert (
        sent.body
        == (
            f'{{"transaction_id":"{TXN}","out_refund_no":"RF-1","reason":"商品已退货",'
            '"notify_url":"https://console.example.com/wechatpay/refund-notify",'
            '"amount":{"refund":40,"total":100,"currency":"CNY"}}'
        ).encode()
    )
    assert sent.headers["Content-Type"] == "application/json"
    assert_common_headers(sent)
    assert_signed(sent, credentials, sent.body)
    assert (refund.refund_id, refund.out_refund_no, refund.status, refund.is_final) == (
        "50000000382019052709732678859",
        "RF-1",
        "PROCESSING",
        False,
    )
    assert (refund.amount.refund, refund.amount.total, refund.amount.currency) == (40, 100, "CNY")
    assert refund.amount.model_extra == {"from": []}
    assert refund.user_received_account == "招商银行信用卡0403"
    assert refund.created_at == datetime(2020, 12, 1, 8, 18, 12, tzinfo=UTC)
    assert refund.success_at is None


def test_create_refund_for_a_sub_merchant_by_out_trade_no(
    client: Client, server: RecordingServer
) -> None:
    server.reply(Reply(200, {**REFUND, "status": "SUCCESS", "success_time": REFUND["create_time"]}))

    refund = client.create_refund(
        out_refund_no="RF|2*@x",
        out_trade_no="TC20220714153445",
        refund_amount=100,
        total_amount=100,
        sub_mchid="1900000001",
        funds_account="AVAILABLE",
        notify_url="http://127.0.0.1:8000/wechatpay/refund-notify",
    )

    assert json.loads(server.last.body) == {
        "sub_mchid": "1900000001",
        "out_trade_no": "TC20220714153445",
        "out_refund_no": "RF|2*@x",
        "notify_url": "http://127.0.0.1:8000/wechatpay/refund-notify",
        "funds_account": "AVAILABLE",
        "amount": {"refund": 100, "total": 100, "currency": "CNY"},
    }
    assert refund.is_final and refund.success_at is not None


def test_get_refund_escapes_the_number_and_adds_sub_mchid(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(Reply(200, REFUND), Reply(200, REFUND))

    client.get_refund("RF|2*@x")
    client.get_refund("RF-1", sub_mchid="1900000001")

    first, second = server.requests
    assert (first.method, first.target) == ("GET", "/v3/refund/domestic/refunds/RF%7C2%2A%40x")
    assert second.target == "/v3/refund/domestic/refunds/RF-1?sub_mchid=1900000001"
    assert_signed(first, credentials, b"")


BASE = {"out_refund_no": "RF-1", "transaction_id": TXN, "refund_amount": 10, "total_amount": 100}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"refund_amount": 101}, "more than the order total"),
        ({"refund_amount": 0}, "refund_amount must be a positive"),
        ({"total_amount": -1}, "total_amount must be a positive"),
        ({"refund_amount": True}, "refund_amount must be a positive"),
        ({"refund_amount": 10.0}, "refund_amount must be a positive"),
        ({"out_refund_no": "RF 1"}, "out_refund_no"),
        ({"out_refund_no": "R" * 65}, "out_refund_no"),
        ({"out_refund_no": ""}, "out_refund_no"),
        ({"out_trade_no": "DD1"}, "exactly one"),
        ({"transaction_id": None}, "exactly one"),
        ({"transaction_id": "42/../x"}, "transaction_id"),
        ({"reason": "退" * 27}, "80 bytes"),
        ({"notify_url": "https://example.com/n?x=1"}, "notify_url"),
        ({"notify_url": "http://example.com/n"}, "notify_url"),
        ({"funds_account": "BASIC"}, "funds_account"),
        ({"currency": "USD"}, "CNY"),
        ({"sub_mchid": "19/00"}, "sub_mchid"),
    ],
)
def test_create_refund_rejects_bad_arguments_before_sending(
    client: Client, server: RecordingServer, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        client.create_refund(**{**BASE, **changes})
    assert server.requests == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_order(),
        lambda c: c.get_order(transaction_id=TXN, out_trade_no="DD000001"),
        lambda c: c.get_order(out_trade_no="DD 01"),
        lambda c: c.get_order(transaction_id=TXN, sub_mchid=""),
        lambda c: c.get_refund(""),
        lambda c: c.get_refund("RF-1", sub_mchid="a b"),
    ],
    ids=["no-key", "both-keys", "bad-out-trade-no", "empty-sub-mchid", "empty-refund", "bad-sub"],
)
def test_queries_reject_bad_arguments_before_sending(
    client: Client, server: RecordingServer, call: Any
) -> None:
    with pytest.raises(InvalidArgumentError):
        call(client)
    assert server.requests == []


CREATE = lambda c: c.create_refund(**BASE)  # noqa: E731
QUERY_REFUND = lambda c: c.get_refund("RF-1")  # noqa: E731
QUERY_ORDER = lambda c: c.get_order(transaction_id=TXN)  # noqa: E731


@pytest.mark.parametrize(
    ("call", "operation", "status", "code", "retryable"),
    [
        (CREATE, "create_refund", 500, "SYSTEM_ERROR", True),
        (CREATE, "create_refund", 429, "FREQUENCY_LIMITED", True),
        (CREATE, "create_refund", 404, "RESOURCE_NOT_EXISTS", True),
        (CREATE, "create_refund", 403, "NOT_ENOUGH", False),
        (CREATE, "create_refund", 403, "USER_ACCOUNT_ABNORMAL", False),
        (CREATE, "create_refund", 400, "INVALID_REQUEST", False),
        (CREATE, "create_refund", 400, "PARAM_ERROR", False),
        (CREATE, "create_refund", 403, "NO_AUTH", False),
        (CREATE, "create_refund", 404, "MCH_NOT_EXISTS", False),
        (CREATE, "create_refund", 401, "SIGN_ERROR", False),
        (CREATE, "create_refund", 403, "REQUEST_BLOCKED", False),
        (CREATE, "create_refund", 503, "SOMETHING_NEW", True),
        (CREATE, "create_refund", 409, "SOMETHING_NEW", False),
        (QUERY_REFUND, "query_refund", 404, "RESOURCE_NOT_EXISTS", False),
        (QUERY_REFUND, "query_refund", 429, "FREQUENCY_LIMITED", True),
        (QUERY_REFUND, "query_refund", 500, "SYSTEM_ERROR", True),
        (QUERY_ORDER, "query_order", 404, "ORDER_NOT_EXIST", False),
        (QUERY_ORDER, "query_order", 400, "PARAM_ERROR", False),
        (QUERY_ORDER, "query_order", 500, "SYSTEM_ERROR", True),
    ],
)
def test_refund_error_codes_say_retryable_or_final(
    client: Client,
    server: RecordingServer,
    call: Any,
    operation: str,
    status: int,
    code: str,
    retryable: bool,
) -> None:
    server.reply(Reply(status, {"code": code, "message": "申请退款金额超过订单可退金额"}))

    with pytest.raises(PaymentApiError) as caught:
        call(client)

    error = caught.value
    assert isinstance(error, ApiError)
    assert (error.operation, error.status, error.code) == (operation, status, code)
    assert error.message == "申请退款金额超过订单可退金额"
    assert (error.retryable, error.final) == (retryable, not retryable)
    assert error.outcome_unknown is (operation == "create_refund" and status >= 500)
    assert error.request_id == "TEST-1"
    assert error.call is not None
    assert (error.call.status, error.call.request_id) == (status, "TEST-1")


def test_refund_answer_missing_required_fields_is_an_unexpected_response(
    client: Client, server: RecordingServer
) -> None:
    server.reply(Reply(200, {"refund_id": "5000", "out_refund_no": "RF-1"}))
    with pytest.raises(ApiError) as caught:
        client.get_refund("RF-1")
    assert caught.value.code == "UNEXPECTED_RESPONSE"
    assert caught.value.final


def test_unsigned_refund_answer_is_never_returned(client: Client, server: RecordingServer) -> None:
    server.reply(Reply(200, REFUND, signed=False))
    with pytest.raises(MissingHeadersError):
        client.create_refund(**BASE)
