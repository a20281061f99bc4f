"""Replies, completion and refund decisions: state, history and idempotency (§3.4-3.7, §7.3)."""

from __future__ import annotations

from tests.sandbox.helpers import LIST, assert_error, immediate, text_message, upload_png
from tests.sandbox.signing import Signer, verify_response


def history(signer: Signer, cid: str) -> list[dict]:
    answer = signer.call("GET", f"{LIST}/{cid}/negotiation-historys?limit=100&offset=0")
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def detail(signer: Signer, cid: str) -> dict:
    return signer.call("GET", f"{LIST}/{cid}").json()


def test_first_reply_moves_pending_to_processing_and_is_recorded(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    assert detail(signer, cid)["complaint_state"] == "PENDING"

    answer = signer.call(
        "POST",
        f"{LIST}/{cid}/response",
        {"complainted_mchid": sandbox_merchant.mchid, "response_content": "您好，已安排发货。"},
    )

    assert answer.status_code == 204
    assert answer.content == b""
    assert verify_response(answer, sandbox_merchant)
    assert detail(signer, cid)["complaint_state"] == "PROCESSING"
    last = history(signer, cid)[-1]
    assert last["operate_type"] == "MERCHANT_RESPONSE"
    assert last["operate_details"] == "您好，已安排发货。"
    [recorded] = sandbox.control.replies(complaint_id=cid)
    assert recorded["endpoint"] == "response"
    assert recorded["log_id"] == last["log_id"]


def test_reply_images_appear_in_history(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    media_id = upload_png(signer)

    signer.call(
        "POST",
        f"{LIST}/{cid}/response",
        {
            "complainted_mchid": sandbox_merchant.mchid,
            "response_content": "见图",
            "response_images": [media_id],
        },
    )

    [image_url] = history(signer, cid)[-1]["image_list"]
    assert image_url.endswith(media_id)


def test_immediate_reply_returns_log_id_and_keeps_the_normal_message(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, need_immediate_service=True)
    signer = Signer(sandbox_merchant)
    message = text_message("您好，请问有什么可以帮您？", sender_identity="MANUAL")

    answer = signer.call(
        "POST",
        f"{LIST}/{cid}/response-immediate-service",
        immediate(sandbox_merchant.mchid, message),
    )

    assert answer.status_code == 200, answer.text
    assert verify_response(answer, sandbox_merchant)
    log_id = answer.json()["log_id"]
    last = history(signer, cid)[-1]
    assert (last["log_id"], last["operate_type"]) == (log_id, "MERCHANT_RESPONSE")
    assert last["normal_message"] == message
    assert detail(signer, cid)["complaint_state"] == "PROCESSING"


def test_repeated_idempotent_id_returns_the_original_log_id_and_records_nothing(
    sandbox, sandbox_merchant
):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, need_immediate_service=True)
    signer = Signer(sandbox_merchant)
    body = immediate(sandbox_merchant.mchid, text_message(), idempotent_id="reply-0001")
    target = f"{LIST}/{cid}/response-immediate-service"

    first = signer.call("POST", target, body)
    signer.call("POST", f"{LIST}/{cid}/complete", {"complainted_mchid": sandbox_merchant.mchid})
    again = signer.call("POST", target, body)

    assert first.status_code == again.status_code == 200
    assert again.json()["log_id"] == first.json()["log_id"]
    replies = [r for r in sandbox.control.replies(complaint_id=cid) if r["idempotent_id"]]
    assert len(replies) == 1
    merchant_messages = [
        h for h in history(signer, cid) if h["operate_type"] == "MERCHANT_RESPONSE"
    ]
    assert len(merchant_messages) == 1


def test_immediate_reply_to_a_complaint_without_immediate_service_is_refused(
    sandbox, sandbox_merchant
):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)

    answer = Signer(sandbox_merchant).call(
        "POST",
        f"{LIST}/{cid}/response-immediate-service",
        immediate(sandbox_merchant.mchid, text_message()),
    )

    assert_error(answer, 400, "INVALID_REQUEST")


def test_complete_moves_to_processed_and_further_replies_are_refused(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    mchid = {"complainted_mchid": sandbox_merchant.mchid}

    done = signer.call("POST", f"{LIST}/{cid}/complete", mchid)
    again = signer.call("POST", f"{LIST}/{cid}/complete", mchid)
    reply = signer.call(
        "POST", f"{LIST}/{cid}/response", {**mchid, "response_content": "还有问题吗？"}
    )

    assert done.status_code == 204
    assert detail(signer, cid)["complaint_state"] == "PROCESSED"
    assert history(signer, cid)[-1]["operate_type"] == "MERCHANT_CONFIRM_COMPLETE"
    assert_error(again, 400, "INVALID_REQUEST")
    assert_error(reply, 400, "INVALID_REQUEST")


def test_complainted_mchid_must_match_the_complaint(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)

    answer = Signer(sandbox_merchant).call(
        "POST", f"{LIST}/{cid}/complete", {"complainted_mchid": "1900009999"}
    )

    assert_error(answer, 403, "NO_AUTH")


def test_user_continuing_reopens_the_complaint(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    signer.call("POST", f"{LIST}/{cid}/complete", {"complainted_mchid": sandbox_merchant.mchid})

    sandbox.control.user_action(cid, "continue", content="问题没有解决")

    shown = detail(signer, cid)
    assert shown["complaint_state"] == "PENDING"
    assert shown["user_complaint_times"] == 2
    assert shown["incoming_user_response"] is True
    assert history(signer, cid)[-1]["operate_type"] == "USER_CONTINUE_COMPLAINT"


def test_user_message_sets_incoming_and_a_reply_clears_it(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)

    sandbox.control.user_action(cid, "message", content="什么时候发货？")
    assert detail(signer, cid)["incoming_user_response"] is True
    signer.call(
        "POST",
        f"{LIST}/{cid}/response",
        {"complainted_mchid": sandbox_merchant.mchid, "response_content": "今天发货"},
    )

    assert detail(signer, cid)["incoming_user_response"] is False
    types = [h["operate_type"] for h in history(signer, cid)]
    assert types == ["USER_CREATE_COMPLAINT", "USER_RESPONSE", "MERCHANT_RESPONSE"]


def test_user_click_is_recorded_against_the_clicked_message(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, need_immediate_service=True)
    signer = Signer(sandbox_merchant)
    action = {
        "action_type": "ACTION_TYPE_SEND_MESSAGE",
        "message_info": {"content": "我要退款"},
        "action_id": "refund",
    }
    message = {"blocks": [{"type": "BUTTON", "button": {"text": "申请退款", "action": action}}]}
    log_id = signer.call(
        "POST",
        f"{LIST}/{cid}/response-immediate-service",
        immediate(sandbox_merchant.mchid, message),
    ).json()["log_id"]

    sandbox.control.user_action(cid, "click", action_id="refund")

    last = history(signer, cid)[-1]
    assert last["operate_type"] == "USER_CLICK_RESPONSE"
    assert last["click_message"] == {
        "message_content": "我要退款",
        "action_id": "refund",
        "clicked_log_id": log_id,
    }


def test_refund_approval_then_refund_arrival_processes_the_complaint(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, problem_type="REFUND")
    signer = Signer(sandbox_merchant)

    answer = signer.call(
        "POST",
        f"{LIST}/{cid}/update-refund-progress",
        {"action": "APPROVE", "launch_refund_day": 3},
    )
    assert answer.status_code == 204
    assert history(signer, cid)[-1]["operate_type"] == "MERCHANT_APPROVE_REFUND"
    assert detail(signer, cid)["complaint_state"] == "PROCESSING"

    sandbox.control.user_action(cid, "refund_received")

    shown = detail(signer, cid)
    assert shown["complaint_state"] == "PROCESSED"
    assert shown["complaint_full_refunded"] is True


def test_refund_rejection_processes_and_a_second_decision_is_refused(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, problem_type="REFUND")
    signer = Signer(sandbox_merchant)
    target = f"{LIST}/{cid}/update-refund-progress"

    first = signer.call("POST", target, {"action": "REJECT", "reject_reason": "已超过退款期限"})
    second = signer.call("POST", target, {"action": "APPROVE"})

    assert first.status_code == 204
    last = history(signer, cid)[-1]
    assert (last["operate_type"], last["operate_details"]) == (
        "MERCHANT_REFUSE_RERUND",
        "已超过退款期限",
    )
    assert detail(signer, cid)["complaint_state"] == "PROCESSED"
    body = assert_error(second, 400, "INVALID_REQUEST")
    assert body["message"] == "当前单据状态不支持操作, 请检查是否重复调用"


def test_refund_progress_on_a_non_refund_complaint_is_refused(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, problem_type="OTHERS")

    answer = Signer(sandbox_merchant).call(
        "POST", f"{LIST}/{cid}/update-refund-progress", {"action": "APPROVE"}
    )

    assert_error(answer, 400, "INVALID_REQUEST")
