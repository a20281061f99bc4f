"""What follows a refund in the sandbox: REFUND.* notifications (signed, AES-GCM), outcomes from
faults and the control API, the complaint's history/state/pushes, injected faults on the refund
endpoints, and the order card on the conversation page."""

from __future__ import annotations

import json

import pytest
import requests

from tests.fixtures.sandbox import register_vector_merchant
from tests.sandbox.helpers import assert_error
from tests.sandbox.signing import Signer, verify_response
from tests.sandbox.test_notifications import Receiver, open_notification, receiver, register
from tests.sandbox.test_pages_security import assert_strict_page
from tests.sandbox.test_refunds import REFUNDS, order_of, partner_of, refund_body, wait_status

__all__ = ["receiver"]  # the fixture, imported for these tests


def refund_events(receiver: Receiver, count: int, merchant) -> list[dict]:
    return [open_notification(h, b, merchant) for h, b, _ in receiver.wait_for(count)]


def test_success_notification_goes_to_the_refunds_notify_url(sandbox, sandbox_merchant, receiver):
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    body = refund_body(order, "RF-notify", order["total"], notify_url=receiver.url)

    created = signer.call("POST", REFUNDS, body).json()

    [event] = refund_events(receiver, 1, sandbox_merchant)  # verified and decrypted
    assert (event["event_type"], event["summary"]) == ("REFUND.SUCCESS", "退款成功")
    resource = event["resource"]
    assert resource["refund_status"] == "SUCCESS" and resource["success_time"]
    assert (resource["refund_id"], resource["out_refund_no"]) == (created["refund_id"], "RF-notify")
    assert resource["mchid"] == sandbox_merchant.mchid
    assert resource["transaction_id"] == order["transaction_id"]
    assert resource["amount"] == {
        "total": order["total"],
        "refund": order["total"],
        "payer_total": order["total"],
        "payer_refund": order["total"],
    }
    [(headers, raw, _)] = receiver.received
    envelope = json.loads(raw)
    assert envelope["resource"]["associated_data"] == "refund"
    assert envelope["resource"]["original_type"] == "refund"
    assert headers["Wechatpay-Serial"] == sandbox_merchant.platform_public_key_id


def test_configured_refund_url_is_used_without_notify_url(sandbox, sandbox_merchant, receiver):
    sandbox.control.set_refund_notify_url(sandbox_merchant.mchid, receiver.url)
    order = order_of(sandbox, sandbox_merchant.mchid)

    Signer(sandbox_merchant).call("POST", REFUNDS, refund_body(order, "RF-conf", 5))

    [event] = refund_events(receiver, 1, sandbox_merchant)
    assert event["resource"]["out_refund_no"] == "RF-conf"


def test_no_url_means_no_refund_notification(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)

    signer.call("POST", REFUNDS, refund_body(order, "RF-quiet", 5))

    wait_status(signer, "RF-quiet", "SUCCESS")
    sent = sandbox.control.notifications(mchid=sandbox_merchant.mchid)
    assert not [n for n in sent if n["action_type"].startswith("REFUND.")]


@pytest.mark.parametrize(
    ("mode", "status"), [("refund_abnormal", "ABNORMAL"), ("refund_closed", "CLOSED")]
)
def test_fault_makes_the_refund_abnormal_or_closed(
    sandbox, sandbox_merchant, receiver, mode, status
):
    sandbox.control.set_faults({"mode": mode, "count": 1})
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    body = refund_body(order, f"RF-{mode}", order["total"], notify_url=receiver.url)

    assert signer.call("POST", REFUNDS, body).json()["status"] == "PROCESSING"

    [event] = refund_events(receiver, 1, sandbox_merchant)
    assert event["event_type"] == f"REFUND.{status}"
    assert event["resource"]["refund_status"] == status
    assert "success_time" not in event["resource"]
    assert wait_status(signer, f"RF-{mode}", status)["status"] == status
    [after] = sandbox.control.orders(transaction_id=order["transaction_id"])
    # CLOSED gives the amount back; ABNORMAL keeps it (the money is on its way elsewhere).
    assert after["refundable"] == (order["total"] if status == "CLOSED" else 0)


def test_control_api_forces_an_outcome(sandbox, sandbox_merchant):
    sandbox.control.settings(refund_delay=600.0)
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    refund = signer.call("POST", REFUNDS, refund_body(order, "RF-force", 7)).json()
    assert signer.call("GET", f"{REFUNDS}/RF-force").json()["status"] == "PROCESSING"

    sandbox.control.refund_outcome(refund["refund_id"], "ABNORMAL")
    wait_status(signer, "RF-force", "ABNORMAL")
    sandbox.control.refund_outcome(refund["refund_id"], "SUCCESS")  # settled by hand

    assert wait_status(signer, "RF-force", "SUCCESS")["success_time"]
    with pytest.raises(AssertionError, match="400"):
        sandbox.control.refund_outcome(refund["refund_id"], "CLOSED")


@pytest.mark.parametrize(
    ("mode", "code"),
    [("not_enough", "NOT_ENOUGH"), ("user_account_abnormal", "USER_ACCOUNT_ABNORMAL")],
)
def test_refund_faults_answer_403_and_write_nothing(sandbox, sandbox_merchant, mode, code):
    sandbox.control.set_faults({"mode": mode, "count": 1})
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    body = refund_body(order, f"RF-{mode}", 5)

    refused = signer.call("POST", REFUNDS, body)
    again = signer.call("POST", REFUNDS, body)  # the same number is safe: nothing was accepted

    assert_error(refused, 403, code)
    assert verify_response(refused, sandbox_merchant)
    assert again.status_code == 200
    assert len(sandbox.control.refunds(transaction_id=order["transaction_id"])) == 1


@pytest.mark.parametrize(("mode", "status"), [("system_error", 500), ("rate_limited", 429)])
def test_request_faults_apply_to_refunds(sandbox, sandbox_merchant, mode, status):
    order = order_of(sandbox, sandbox_merchant.mchid)
    sandbox.control.set_faults({"mode": mode, "count": 1, "path_prefix": REFUNDS})
    signer = Signer(sandbox_merchant)
    body = refund_body(order, f"RF-{mode}", 5)

    failed = signer.call("POST", REFUNDS, body)
    retried = signer.call("POST", REFUNDS, body)

    assert failed.status_code == status and verify_response(failed, sandbox_merchant)
    assert retried.status_code == 200
    assert len(sandbox.control.refunds(transaction_id=order["transaction_id"])) == 1


def test_lost_answer_then_retry_is_one_refund(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    sandbox.control.set_faults({"mode": "drop_after_commit", "count": 1, "path_prefix": REFUNDS})
    signer = Signer(sandbox_merchant)
    body = refund_body(order, "RF-dropped", 5)

    with pytest.raises(requests.ConnectionError):
        signer.call("POST", REFUNDS, body)
    retried = signer.call("POST", REFUNDS, body)

    assert retried.status_code == 200
    [stored] = sandbox.control.refunds(transaction_id=order["transaction_id"])
    assert stored["refund_id"] == retried.json()["refund_id"]


def test_refunds_of_one_order_must_be_spaced_when_configured(sandbox, sandbox_merchant):
    sandbox.control.settings(refund_min_interval=60.0)
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)

    first = signer.call("POST", REFUNDS, refund_body(order, "RF-s1", 1))
    second = signer.call("POST", REFUNDS, refund_body(order, "RF-s2", 1))

    assert first.status_code == 200
    assert_error(second, 429, "FREQUENCY_LIMITED")


def history_types(signer: Signer, cid: str) -> list[str]:
    answer = signer.call("GET", f"/v3/merchant-service/complaints-v2/{cid}/negotiation-historys")
    return [entry["operate_type"] for entry in answer.json()["data"]]


def test_approved_refund_request_closes_when_the_refund_succeeds(
    sandbox, sandbox_merchant, receiver
):
    signer = Signer(sandbox_merchant)
    register(signer, receiver.url)
    order = order_of(sandbox, sandbox_merchant.mchid, problem_type="REFUND")
    cid = order["complaint_id"]
    approve = signer.call(
        "POST",
        f"/v3/merchant-service/complaints-v2/{cid}/update-refund-progress",
        {"action": "APPROVE", "launch_refund_day": 0},
    )
    assert approve.status_code == 204

    signer.call("POST", REFUNDS, refund_body(order, "RF-closes", order["total"]))
    wait_status(signer, "RF-closes", "SUCCESS")

    detail = signer.call("GET", f"/v3/merchant-service/complaints-v2/{cid}").json()
    assert (detail["complaint_state"], detail["complaint_full_refunded"]) == ("PROCESSED", True)
    assert history_types(signer, cid)[-3:] == [
        "MERCHANT_APPROVE_REFUND",
        "COMPLAINT_FULL_REFUNDED_SYSTEM_MESSAGE",
        "COMPLAINT_REFUND_RECEIVED_SYSTEM_MESSAGE",
    ]
    pushes = [open_notification(h, b, sandbox_merchant) for h, b, _ in receiver.wait_for(3)]
    assert sorted(p["resource"]["action_type"] for p in pushes) == [
        "CREATE_COMPLAINT",
        "REFUND_SUCCESS",
        "SELLER_REFUND",
    ]
    assert {p["resource"]["complaint_id"] for p in pushes} == {cid}


def test_partial_refund_of_an_unapproved_complaint_changes_no_state(sandbox, sandbox_merchant):
    signer = Signer(sandbox_merchant)
    order = order_of(sandbox, sandbox_merchant.mchid, problem_type="REFUND")
    cid = order["complaint_id"]

    signer.call("POST", REFUNDS, refund_body(order, "RF-part", 1))
    wait_status(signer, "RF-part", "SUCCESS")

    detail = signer.call("GET", f"/v3/merchant-service/complaints-v2/{cid}").json()
    assert (detail["complaint_state"], detail["complaint_full_refunded"]) == ("PENDING", False)
    assert history_types(signer, cid)[-2:] == [
        "COMPLAINT_PARTIAL_REFUNDED_SYSTEM_MESSAGE",
        "COMPLAINT_REFUND_RECEIVED_SYSTEM_MESSAGE",
    ]


def test_coupling_can_be_switched_off(sandbox, sandbox_merchant):
    sandbox.control.settings(refund_complaint_coupling=False)
    signer = Signer(sandbox_merchant)
    order = order_of(sandbox, sandbox_merchant.mchid)

    signer.call("POST", REFUNDS, refund_body(order, "RF-off", order["total"]))
    wait_status(signer, "RF-off", "SUCCESS")

    assert history_types(signer, order["complaint_id"]) == ["USER_CREATE_COMPLAINT"]


def test_conversation_page_shows_orders_and_refunds_escaped(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    hostile = '<script>document.title="x"</script>'
    signer.call("POST", REFUNDS, refund_body(order, "RF-page", 1, reason=hostile[:40]))

    page = requests.get(
        f"{sandbox.base_url}/_sandbox/complaints/{order['complaint_id']}", timeout=10
    )

    assert page.status_code == 200
    assert_strict_page(page)
    assert f"订单 {order['out_trade_no']}" in page.text
    assert "RF-page" in page.text and "已退 ¥0.01" in page.text
    assert "&lt;script&gt;document.title=&quot;x&quot;" in page.text


def test_control_api_refuses_bad_outcomes_and_urls(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    refund = Signer(sandbox_merchant).call("POST", REFUNDS, refund_body(order, "RF-c", 1)).json()
    control = sandbox.control

    with pytest.raises(AssertionError, match="400"):
        control.refund_outcome(refund["refund_id"], "PROCESSING")
    with pytest.raises(AssertionError, match="404"):
        control.refund_outcome("50" + "0" * 27, "SUCCESS")
    with pytest.raises(AssertionError, match="400"):
        control.set_refund_notify_url(sandbox_merchant.mchid, "http://example.com/refunds")
    with pytest.raises(AssertionError, match="404"):
        control.set_refund_notify_url("1900000002", "https://example.com/refunds")
    assert control.set_refund_notify_url(sandbox_merchant.mchid, None)["refund_notify_url"] is None


def test_partner_refund_notification_carries_sp_and_sub_mchid(sandbox, sandbox_merchant, receiver):
    sub = sandbox_merchant.mchid
    order = order_of(sandbox, sub)
    partner = partner_of(sandbox, sub, [sub])
    body = refund_body(order, "RF-sp-notify", 2, sub_mchid=sub, notify_url=receiver.url)

    assert Signer(partner).call("POST", REFUNDS, body).status_code == 200

    [event] = refund_events(receiver, 1, partner)
    resource = event["resource"]
    assert (resource["sp_mchid"], resource["sub_mchid"]) == (partner.mchid, sub)
    assert "mchid" not in resource


def test_an_order_id_reused_by_another_merchant_links_no_complaint(sandbox, sandbox_merchant):
    order = order_of(sandbox, sandbox_merchant.mchid)
    other = register_vector_merchant(sandbox)
    info = {"transaction_id": order["transaction_id"], "out_trade_no": "DD1", "amount": 5}

    [cid] = sandbox.control.create_complaints(other.mchid, complaint_order_info=[info])

    assert sandbox.control.orders(complaint_id=cid) == []
    [still] = sandbox.control.orders(transaction_id=order["transaction_id"])
    assert (still["mchid"], still["complaint_ids"]) == (
        sandbox_merchant.mchid,
        [order["complaint_id"]],
    )
