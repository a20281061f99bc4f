"""The order and refund calls of wechatpay.Client end to end against the sandbox process: what
the client sends is accepted, answers are verified and typed, errors say retryable or final, and
a REFUND.* notification the sandbox sends verifies and parses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.sandbox import SandboxMerchant, SandboxProcess, register_vector_merchant
from tests.sandbox.test_notifications import Receiver
from tests.wechatpay.conftest import sandbox_client
from wechatpay import (
    Client,
    Complaint,
    PaymentApiError,
    Refund,
    TransportError,
    Verifier,
    parse_refund_notification,
)


@pytest.fixture
def client(sandbox_merchant: SandboxMerchant) -> Iterator[Client]:
    with sandbox_client(sandbox_merchant, timeout=(2.0, 5.0)) as c:
        yield c


@pytest.fixture
def complaint(
    sandbox: SandboxProcess, sandbox_merchant: SandboxMerchant, client: Client
) -> Complaint:
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, problem_type="REFUND")
    return client.get_complaint(cid)


def refund(client: Client, complaint: Complaint, number: str, amount: int, **extra: Any) -> Refund:
    info = complaint.complaint_order_info[0]
    assert info.amount is not None
    return client.create_refund(
        out_refund_no=number,
        transaction_id=info.transaction_id,
        refund_amount=amount,
        total_amount=info.amount,
        **extra,
    )


def settled(client: Client, number: str) -> Refund:
    deadline = time.monotonic() + 10
    while (found := client.get_refund(number)).status == "PROCESSING":
        assert time.monotonic() < deadline, "the refund stayed PROCESSING"
        time.sleep(0.05)
    return found


def test_order_of_a_complaint_both_ways(client: Client, complaint: Complaint) -> None:
    info = complaint.complaint_order_info[0]

    by_id = client.get_order(transaction_id=info.transaction_id)
    by_no = client.get_order(out_trade_no=info.out_trade_no)

    assert by_id == by_no
    assert (by_id.trade_state, by_id.total, by_id.payer_total, by_id.currency) == (
        "SUCCESS",
        info.amount,
        info.amount,
        "CNY",
    )
    assert by_id.paid and by_id.success_at is not None and by_id.success_at.tzinfo is not None


def test_full_refund_succeeds_and_the_complaint_closes(
    client: Client, complaint: Complaint, sandbox_merchant: SandboxMerchant
) -> None:
    client.update_refund_progress(complaint.complaint_id, action="APPROVE", launch_refund_day=0)
    amount = complaint.complaint_order_info[0].amount

    accepted = refund(client, complaint, "RF-e2e-full", amount, reason="同意退款")
    done = settled(client, "RF-e2e-full")

    assert accepted.status == "PROCESSING" and not accepted.is_final
    assert (done.status, done.refund_id, done.amount.refund) == (
        "SUCCESS",
        accepted.refund_id,
        amount,
    )
    assert done.is_final and done.success_at is not None
    order = client.get_order(transaction_id=accepted.transaction_id)
    assert order.trade_state == "REFUND"
    after = client.get_complaint(complaint.complaint_id)
    assert (after.complaint_state, after.complaint_full_refunded) == ("PROCESSED", True)


def test_same_out_refund_no_twice_is_the_same_refund(client: Client, complaint: Complaint) -> None:
    first = refund(client, complaint, "RF-e2e-twice", 100)
    second = refund(client, complaint, "RF-e2e-twice", 100)

    assert first.refund_id == second.refund_id


def test_over_refund_is_final_with_wechats_reason(client: Client, complaint: Complaint) -> None:
    amount = complaint.complaint_order_info[0].amount
    refund(client, complaint, "RF-e2e-most", amount - 1)

    with pytest.raises(PaymentApiError) as caught:
        refund(client, complaint, "RF-e2e-over", 2)

    error = caught.value
    assert (error.status, error.code, error.final) == (400, "INVALID_REQUEST", True)
    assert error.message == "申请退款金额超过订单可退金额"


def test_another_merchants_order_is_no_auth(sandbox: SandboxProcess, complaint: Complaint) -> None:
    other = register_vector_merchant(sandbox)
    with sandbox_client(other) as stranger, pytest.raises(PaymentApiError) as caught:
        refund(stranger, complaint, "RF-e2e-stranger", 1)
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        403,
        "NO_AUTH",
        False,
    )
    with sandbox_client(other) as stranger, pytest.raises(PaymentApiError) as queried:
        stranger.get_order(transaction_id=complaint.complaint_order_info[0].transaction_id)
    assert (queried.value.code, queried.value.final) == ("ORDER_NOT_EXIST", True)


def test_unknown_refund_query_is_final(client: Client) -> None:
    with pytest.raises(PaymentApiError) as caught:
        client.get_refund("RF-e2e-never")
    assert (caught.value.code, caught.value.operation, caught.value.final) == (
        "RESOURCE_NOT_EXISTS",
        "query_refund",
        True,
    )


def test_system_error_is_retryable_and_the_retry_refunds_once(
    sandbox: SandboxProcess, client: Client, complaint: Complaint
) -> None:
    sandbox.control.set_faults(
        {"mode": "system_error", "count": 1, "path_prefix": "/v3/refund/domestic/refunds"}
    )
    with pytest.raises(PaymentApiError) as caught:
        refund(client, complaint, "RF-e2e-500", 50)
    assert caught.value.retryable and caught.value.outcome_unknown

    retried = refund(client, complaint, "RF-e2e-500", 50)

    assert [
        r["refund_id"]
        for r in sandbox.control.refunds(
            out_refund_no="RF-e2e-500", mchid=complaint.complainted_mchid
        )
    ] == [retried.refund_id]


def test_lost_answer_is_a_transport_error_and_the_retry_finds_the_refund(
    sandbox: SandboxProcess, client: Client, complaint: Complaint
) -> None:
    sandbox.control.set_faults(
        {"mode": "drop_after_commit", "count": 1, "path_prefix": "/v3/refund/domestic/refunds"}
    )
    with pytest.raises(TransportError) as caught:
        refund(client, complaint, "RF-e2e-lost", 50)
    assert caught.value.retryable

    again = refund(client, complaint, "RF-e2e-lost", 50)

    assert client.get_refund("RF-e2e-lost").refund_id == again.refund_id
    assert (
        len(sandbox.control.refunds(out_refund_no="RF-e2e-lost", mchid=complaint.complainted_mchid))
        == 1
    )


def test_abnormal_refund_notification_verifies_and_parses(
    sandbox: SandboxProcess,
    sandbox_merchant: SandboxMerchant,
    client: Client,
    complaint: Complaint,
) -> None:
    receiver = Receiver()
    sandbox.control.set_faults({"mode": "refund_abnormal", "count": 1})
    try:
        accepted = refund(client, complaint, "RF-e2e-abn", 30, notify_url=receiver.url)
        [(headers, body, _)] = receiver.wait_for(1)
    finally:
        receiver.server.shutdown()
    verifier = Verifier(
        public_keys={
            sandbox_merchant.platform_public_key_id: sandbox_merchant.platform_public_key_pem
        }
    )

    event = parse_refund_notification(
        headers, body, verifier=verifier, apiv3_key=sandbox_merchant.apiv3_key
    )

    assert (event.event_type, event.refund_status) == ("REFUND.ABNORMAL", "ABNORMAL")
    assert (event.refund_id, event.out_refund_no) == (accepted.refund_id, "RF-e2e-abn")
    assert (event.amount.refund, event.mchid) == (30, sandbox_merchant.mchid)
    assert settled(client, "RF-e2e-abn").status == "ABNORMAL"


def test_timeout_then_retry_is_one_refund(
    sandbox: SandboxProcess, sandbox_merchant: SandboxMerchant, complaint: Complaint
) -> None:
    sandbox.control.set_faults(
        {"mode": "delay", "seconds": 1.5, "count": 1, "path_prefix": "/v3/refund/domestic/refunds"}
    )
    with sandbox_client(sandbox_merchant, timeout=(2.0, 0.3)) as impatient:
        with pytest.raises(TransportError) as caught:
            refund(impatient, complaint, "RF-e2e-slow", 40)
        assert caught.value.retryable and caught.value.maybe_sent

    deadline = time.monotonic() + 10
    with sandbox_client(sandbox_merchant) as client:
        while not sandbox.control.refunds(
            out_refund_no="RF-e2e-slow", mchid=complaint.complainted_mchid
        ):
            assert time.monotonic() < deadline, "the delayed request never committed"
            time.sleep(0.05)
        again = refund(client, complaint, "RF-e2e-slow", 40)

    [stored] = sandbox.control.refunds(
        out_refund_no="RF-e2e-slow", mchid=complaint.complainted_mchid
    )
    assert stored["refund_id"] == again.refund_id
