"""Orders and refunds in the sandbox over real HTTP with real signatures (refund spec §3-§5, §10):
order queries both ways, full and partial refunds, the balance, replays, the documented errors."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

import pytest

from tests.fixtures.sandbox import register_vector_merchant
from tests.sandbox.helpers import assert_error, assert_param_error
from tests.sandbox.signing import Signer, verify_response

REFUNDS = "/v3/refund/domestic/refunds"


def order_of(sandbox: Any, mchid: str, **overrides: Any) -> dict[str, Any]:
    """A new complaint's order as the control API describes it."""
    [cid] = sandbox.control.create_complaints(mchid, **overrides)
    [order] = sandbox.control.orders(complaint_id=cid)
    return {**order, "complaint_id": cid}


def refund_body(order: dict[str, Any], number: str, refund: int, **extra: Any) -> dict[str, Any]:
    return {
        "transaction_id": order["transaction_id"],
        "out_refund_no": number,
        "amount": {"refund": refund, "total": order["total"], "currency": "CNY"},
        **extra,
    }


def wait_status(signer: Signer, number: str, status: str) -> dict[str, Any]:
    """Poll the refund query until it reports `status` (the sandbox settles refunds after
    refund_delay in a background thread)."""
    deadline = time.monotonic() + 10
    while True:
        answer = signer.call("GET", f"{REFUNDS}/{number}")
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] == status or time.monotonic() > deadline:
            assert answer.json()["status"] == status
            return answer.json()
        time.sleep(0.05)


def test_order_query_by_transaction_id_and_by_out_trade_no(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    mchid = sandbox_merchant.mchid

    by_id = signer.call("GET", f"/v3/pay/transactions/id/{order['transaction_id']}?mchid={mchid}")
    by_no = signer.call(
        "GET", f"/v3/pay/transactions/out-trade-no/{order['out_trade_no']}?mchid={mchid}"
    )

    assert by_id.status_code == by_no.status_code == 200
    assert verify_response(by_id, sandbox_merchant) and verify_response(by_no, sandbox_merchant)
    shown = by_id.json()
    assert shown == by_no.json()
    assert (shown["trade_state"], shown["mchid"], shown["amount"]["total"]) == (
        "SUCCESS",
        mchid,
        order["total"],
    )
    assert shown["amount"]["payer_total"] == order["total"]
    assert shown["out_trade_no"] == order["out_trade_no"]
    assert shown["payer"]["openid"] and shown["success_time"].endswith("+08:00")


def test_order_query_errors(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    other = register_vector_merchant(sandbox)
    tid = order["transaction_id"]

    theirs = Signer(other).call("GET", f"/v3/pay/transactions/id/{tid}?mchid={other.mchid}")
    spoofed = Signer(other).call(
        "GET", f"/v3/pay/transactions/id/{tid}?mchid={sandbox_merchant.mchid}"
    )
    signer = Signer(sandbox_merchant)
    no_mchid = signer.call("GET", f"/v3/pay/transactions/id/{tid}")
    not_an_id = signer.call("GET", f"/v3/pay/transactions/id/DD123?mchid={sandbox_merchant.mchid}")

    assert_error(theirs, 404, "ORDER_NOT_EXIST")
    assert verify_response(theirs, other)
    assert_error(spoofed, 404, "ORDER_NOT_EXIST")
    assert_param_error(no_mchid, "mchid")
    assert_param_error(not_an_id, "transaction_id")


def test_partner_queries_a_sub_merchants_order(sandbox, sandbox_merchant):
    sub = sandbox_merchant.mchid
    order = order_of(sandbox, sub)
    partner = register_vector_merchant(sandbox)
    sandbox.control.register_merchant(
        mchid=partner.mchid,
        kind="partner",
        sub_mchids=[sub],
        certificate_serial=partner.serial_no,
        certificate_pem=partner.certificate_pem,
        apiv3_key=partner.apiv3_key,
    )
    signer = Signer(partner)
    query = f"sp_mchid={partner.mchid}&sub_mchid={sub}"

    answer = signer.call(
        "GET", f"/v3/pay/partner/transactions/id/{order['transaction_id']}?{query}"
    )
    direct = signer.call("GET", f"/v3/pay/transactions/id/{order['transaction_id']}?mchid={sub}")

    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert (shown["sp_mchid"], shown["sub_mchid"]) == (partner.mchid, sub)
    assert "mchid" not in shown and shown["payer"]["sp_openid"]
    assert_error(direct, 404, "ORDER_NOT_EXIST")


def test_full_refund_moves_processing_to_success(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)

    created = signer.call("POST", REFUNDS, refund_body(order, "RF-full", order["total"]))

    assert created.status_code == 200, created.text
    assert verify_response(created, sandbox_merchant)
    refund = created.json()
    assert refund["status"] == "PROCESSING" and "success_time" not in refund
    assert refund["refund_id"].startswith("50") and len(refund["refund_id"]) == 29
    assert refund["amount"]["refund"] == refund["amount"]["total"] == order["total"]
    assert refund["out_trade_no"] == order["out_trade_no"]
    done = wait_status(signer, "RF-full", "SUCCESS")
    assert done["success_time"] and done["user_received_account"] == "支付用户零钱"
    [after] = sandbox.control.orders(transaction_id=order["transaction_id"])
    assert (after["trade_state"], after["refunded"], after["refundable"]) == (
        "REFUND",
        order["total"],
        0,
    )


def test_partial_refunds_up_to_the_balance_then_refused(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    total = order["total"]
    parts = [total // 2, total // 4, total - total // 2 - total // 4]

    answers = [
        signer.call("POST", REFUNDS, refund_body(order, f"RF-part-{i}", part))
        for i, part in enumerate(parts)
    ]
    over = signer.call("POST", REFUNDS, refund_body(order, "RF-part-over", 1))

    assert [a.status_code for a in answers] == [200, 200, 200]
    body = assert_error(over, 400, "INVALID_REQUEST")
    assert body["message"] == "申请退款金额超过订单可退金额"
    assert verify_response(over, sandbox_merchant)
    [after] = sandbox.control.orders(transaction_id=order["transaction_id"])
    assert (after["refunded"], after["refundable"], len(after["refunds"])) == (total, 0, 3)


def test_over_refund_and_wrong_total_are_refused_and_write_nothing(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    wrong_total = refund_body(order, "RF-total", 1)
    wrong_total["amount"]["total"] = order["total"] + 1

    too_much = signer.call("POST", REFUNDS, refund_body(order, "RF-big", order["total"] + 1))
    mismatch = signer.call("POST", REFUNDS, wrong_total)

    assert (
        assert_error(too_much, 400, "INVALID_REQUEST")["message"] == "申请退款金额超过订单可退金额"
    )
    assert "不一致" in assert_error(mismatch, 400, "INVALID_REQUEST")["message"]
    assert sandbox.control.refunds(transaction_id=order["transaction_id"]) == []


def test_another_merchants_order_is_refused(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    other = register_vector_merchant(sandbox)

    answer = Signer(other).call("POST", REFUNDS, refund_body(order, "RF-theirs", 1))
    body = refund_body(order, "RF-theirs", 1)
    del body["transaction_id"]
    body["out_trade_no"] = order["out_trade_no"]  # out_trade_no is unique per merchant only
    by_no = Signer(other).call("POST", REFUNDS, body)

    assert_error(answer, 403, "NO_AUTH")
    assert verify_response(answer, other)
    assert_error(by_no, 404, "RESOURCE_NOT_EXISTS")
    assert sandbox.control.refunds(transaction_id=order["transaction_id"]) == []


def test_unknown_order_and_unknown_refund(sandbox, sandbox_merchant):
    signer = Signer(sandbox_merchant)
    body = {
        "out_trade_no": "DD000000000000000000",
        "out_refund_no": "RF-x",
        "amount": {"refund": 1, "total": 1, "currency": "CNY"},
    }

    assert_error(signer.call("POST", REFUNDS, body), 404, "RESOURCE_NOT_EXISTS")
    missing = signer.call("GET", f"{REFUNDS}/RF-never")
    assert assert_error(missing, 404, "RESOURCE_NOT_EXISTS")["message"] == "退款单不存在"


def test_same_out_refund_no_twice_is_one_refund(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    body = refund_body(order, "RF-again", 10, reason="重复提交")

    first = signer.call("POST", REFUNDS, body)
    second = signer.call("POST", REFUNDS, body)
    changed = signer.call("POST", REFUNDS, refund_body(order, "RF-again", 11))

    assert first.status_code == second.status_code == 200
    assert first.json()["refund_id"] == second.json()["refund_id"]
    assert "不一致" in assert_error(changed, 400, "INVALID_REQUEST")["message"]
    [after] = sandbox.control.orders(transaction_id=order["transaction_id"])
    assert (after["refunded"], len(after["refunds"])) == (10, 1)


def test_concurrent_calls_with_one_out_refund_no_make_one_refund(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    body = refund_body(order, "RF-race", order["total"])
    answers: list[Any] = []

    def send() -> None:
        answers.append(Signer(sandbox_merchant).call("POST", REFUNDS, body))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [200] * 6
    assert len({a.json()["refund_id"] for a in answers}) == 1
    assert len(sandbox.control.refunds(transaction_id=order["transaction_id"])) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.pop("amount"), "amount"),
        (lambda b: b.pop("out_refund_no"), "out_refund_no"),
        (lambda b: b.pop("transaction_id"), "transaction_id"),
        (lambda b: b["amount"].update(refund=0), "amount.refund"),
        (lambda b: b["amount"].update(refund="10"), "amount.refund"),
        (lambda b: b["amount"].pop("total"), "amount.total"),
        (lambda b: b["amount"].update(currency="USD"), "amount.currency"),
        (lambda b: b.update(out_refund_no="RF 1"), "out_refund_no"),
        (lambda b: b.update(out_refund_no="R" * 65), "out_refund_no"),
        (lambda b: b.update(reason="退" * 27), "reason"),
        (lambda b: b.update(notify_url="https://example.com/n?a=1"), "notify_url"),
        (lambda b: b.update(notify_url="http://example.com/n"), "notify_url"),
        (lambda b: b.update(funds_account="BASIC"), "funds_account"),
        (lambda b: b.update(sub_mchid="1900000001"), "sub_mchid"),
        (lambda b: b.update(reason="退款😀"), "reason"),
    ],
)
def test_malformed_refund_body_is_a_param_error(sandbox, sandbox_merchant, change, field):
    order = order_of(sandbox, sandbox_merchant.mchid)
    body = refund_body(order, "RF-bad", 1)
    change(body)

    answer = Signer(sandbox_merchant).call("POST", REFUNDS, body)

    assert_param_error(answer, field)
    assert verify_response(answer, sandbox_merchant)
    assert sandbox.control.refunds(transaction_id=order["transaction_id"]) == []


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"refund"'])
def test_refund_body_that_is_not_a_json_object_is_a_400(sandbox_merchant, raw):
    signer = Signer(sandbox_merchant)
    authorization = signer.authorization("POST", REFUNDS, raw)

    answer = signer.http.post(
        sandbox_merchant.base_url + REFUNDS, data=raw, headers=signer.headers(authorization)
    )

    assert_error(answer, 400, "PARAM_ERROR")
    assert verify_response(answer, sandbox_merchant)


def test_unsigned_refund_is_a_sign_error(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    body = refund_body(order, "RF-forged", 1)

    answer = signer.call("POST", REFUNDS, body, timestamp=int(time.time()) - 600)

    assert_error(answer, 401, "SIGN_ERROR")
    assert sandbox.control.refunds(transaction_id=order["transaction_id"]) == []


def test_order_query_with_the_order_number_also_in_the_query_is_a_param_error(
    sandbox, sandbox_merchant
):
    order = order_of(sandbox, sandbox_merchant.mchid)
    target = (
        f"/v3/pay/transactions/out-trade-no/{order['out_trade_no']}"
        f"?mchid={sandbox_merchant.mchid}&out_trade_no={order['out_trade_no']}"
    )

    assert_param_error(Signer(sandbox_merchant).call("GET", target), "out_trade_no")


def partner_of(sandbox, sub: str, sub_mchids: list[str]):
    partner = register_vector_merchant(sandbox)
    sandbox.control.register_merchant(
        mchid=partner.mchid,
        kind="partner",
        sub_mchids=sub_mchids,
        certificate_serial=partner.serial_no,
        certificate_pem=partner.certificate_pem,
        apiv3_key=partner.apiv3_key,
    )
    return partner


def test_partner_refunds_need_a_served_sub_mchid(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    serving = Signer(partner_of(sandbox, sandbox_merchant.mchid, [sandbox_merchant.mchid]))
    stranger = Signer(partner_of(sandbox, sandbox_merchant.mchid, ["1900000001"]))
    sub = {"sub_mchid": sandbox_merchant.mchid}

    without = serving.call("POST", REFUNDS, refund_body(order, "RF-sp-0", 1))
    unserved = stranger.call("POST", REFUNDS, refund_body(order, "RF-sp-1", 1, **sub))
    served = serving.call("POST", REFUNDS, refund_body(order, "RF-sp-2", 1, **sub))
    queried = serving.call("GET", f"{REFUNDS}/RF-sp-2?sub_mchid={sandbox_merchant.mchid}")

    assert_param_error(without, "sub_mchid")
    assert_error(unserved, 403, "NO_AUTH")
    assert served.status_code == queried.status_code == 200
    assert queried.json()["refund_id"] == served.json()["refund_id"]


def test_business_rules_of_the_refund_spec(sandbox, sandbox_merchant):
    signer = Signer(sandbox_merchant)
    old = order_of(sandbox, sandbox_merchant.mchid, complaint_time="2024-01-02T10:00:00+08:00")
    order = order_of(sandbox, sandbox_merchant.mchid)
    other = order_of(sandbox, sandbox_merchant.mchid)
    crossed = refund_body(order, "RF-cross", 1, out_trade_no=other["out_trade_no"])

    too_old = signer.call("POST", REFUNDS, refund_body(old, "RF-old", 1))
    mixed = signer.call("POST", REFUNDS, crossed)

    assert "超期" in assert_error(too_old, 400, "INVALID_REQUEST")["message"]
    assert "不是同一笔订单" in assert_error(mixed, 400, "INVALID_REQUEST")["message"]


def test_at_most_50_refunds_per_order(sandbox, sandbox_merchant):
    transaction_id = "4200001" + str(secrets.randbelow(10**21)).zfill(21)
    info = {"transaction_id": transaction_id, "out_trade_no": "DD50", "amount": 10_000}
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, complaint_order_info=[info])
    [order] = sandbox.control.orders(complaint_id=cid)
    signer = Signer(sandbox_merchant)

    answers = [signer.call("POST", REFUNDS, refund_body(order, f"RF-n{i}", 1)) for i in range(51)]

    assert [a.status_code for a in answers[:50]] == [200] * 50
    assert "50" in assert_error(answers[50], 400, "INVALID_REQUEST")["message"]
