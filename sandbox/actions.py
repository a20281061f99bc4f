"""The merchant's write endpoints: reply, immediate-service reply, complete, refund progress.

Each is validated first, then read-checked-written in one transaction, so concurrent calls for the
same complaint see each other's effects (a repeated idempotent_id records nothing new).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sandbox.complaints import history_entry
from sandbox.uploads import media_lookup
from sandbox.validation import complete_body, immediate_body, refund_body, response_body
from sandbox.web import ApiError, Response, invalid_request

if TYPE_CHECKING:
    from sqlite3 import Connection

    from sandbox.call import Call
    from sandbox.state import State

MEDIA_PATH = "/_sandbox/media/"
ALREADY_PROCESSED = "投诉单已处理完成，当前状态不支持该操作"
REPEATED_REFUND = "当前单据状态不支持操作, 请检查是否重复调用"


def _media_check(app: State, call: Call) -> Any:
    def media_ok(media_id: str) -> bool:
        row = media_lookup(app, media_id)
        return row is not None and row["origin"] == "upload" and row["mchid"] == call.merchant.mchid

    return media_ok


def _check_mchid(call: Call, body: dict[str, Any]) -> None:
    assert call.complaint is not None
    if body["complainted_mchid"] != call.complaint[0]["complainted_mchid"]:
        raise ApiError(403, "NO_AUTH", "您暂无权限为该投诉单提交商户回复")


def _record(
    app: State,
    db: Connection,
    call: Call,
    complaint: dict[str, Any],
    extra: dict[str, Any],
    entry: dict[str, Any],
    *,
    endpoint: str,
    body: dict[str, Any],
    action_type: str,
) -> None:
    """Persist the new state, the history entry and the reply row together."""
    app.store.complaint_update(db, complaint, extra)
    app.store.history_append(db, complaint["complaint_id"], entry)
    app.store.reply_insert(
        db,
        log_id=entry["log_id"],
        mchid=call.merchant.mchid,
        complaint_id=complaint["complaint_id"],
        endpoint=endpoint,
        idempotent_id=body.get("idempotent_id"),
        body=body,
        time=time.time(),
    )
    if app.settings.push_merchant_actions:
        app.notifier.enqueue(
            db, complaint["complainted_mchid"], complaint["complaint_id"], action_type
        )


def _load(app: State, call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    found = app.store.complaint_get(call.complaint_id)
    assert found is not None  # ownership was checked; complaints are never deleted
    return found[0], found[2]


def _answered(complaint: dict[str, Any]) -> None:
    if complaint["complaint_state"] == "PENDING":
        complaint["complaint_state"] = "PROCESSING"
    complaint["incoming_user_response"] = False


def reply(app: State, call: Call) -> Response:
    body = response_body(call.request.json(), _media_check(app, call))
    _check_mchid(call, body)
    with app.store.transaction() as db:
        complaint, extra = _load(app, call)
        if complaint["complaint_state"] == "PROCESSED":
            raise invalid_request(ALREADY_PROCESSED)
        images = [MEDIA_PATH + media_id for media_id in body.get("response_images", [])]
        entry = history_entry(
            "商户", "MERCHANT_RESPONSE", body["response_content"], image_list=images
        )
        _answered(complaint)
        _record(app, db, call, complaint, extra, entry, endpoint="response", body=body,
                action_type="MERCHANT_RESPONSE")  # fmt: skip
    return Response.empty(sign=True)


def plain_text(message: dict[str, Any]) -> str:
    """What a text-only history reader shows for a NormalMessage: its text blocks."""
    texts = [b["text"]["text"] for b in message["blocks"] if b.get("type") == "TEXT"]
    return "\n".join(texts)[:500]


def reply_immediate(app: State, call: Call) -> Response:
    body = immediate_body(call.request.json(), _media_check(app, call))
    _check_mchid(call, body)
    with app.store.transaction() as db:
        # Idempotency first: a retry of an accepted reply succeeds even if the state moved on.
        existing = app.store.reply_by_idempotent_id(call.complaint_id, body["idempotent_id"])
        if existing is not None:
            return Response.json(200, {"log_id": existing}, sign=True)
        complaint, extra = _load(app, call)
        if not complaint.get("need_immediate_service"):
            raise invalid_request("该投诉单无需即时服务，请使用回复用户接口（/response）")
        if complaint["complaint_state"] == "PROCESSED":
            raise invalid_request(ALREADY_PROCESSED)
        message = body["message"]
        entry = history_entry(
            "商户", "MERCHANT_RESPONSE", plain_text(message), normal_message=message
        )
        _answered(complaint)
        _record(app, db, call, complaint, extra, entry, endpoint="response-immediate-service",
                body=body, action_type="MERCHANT_RESPONSE")  # fmt: skip
    return Response.json(200, {"log_id": entry["log_id"]}, sign=True)


def complete(app: State, call: Call) -> Response:
    body = complete_body(call.request.json())
    _check_mchid(call, body)
    with app.store.transaction() as db:
        complaint, extra = _load(app, call)
        if complaint["complaint_state"] == "PROCESSED":
            raise invalid_request(ALREADY_PROCESSED)
        complaint["complaint_state"] = "PROCESSED"
        complaint["incoming_user_response"] = False
        entry = history_entry("商户", "MERCHANT_CONFIRM_COMPLETE", "商户已反馈处理完成")
        _record(app, db, call, complaint, extra, entry, endpoint="complete", body=body,
                action_type="MERCHANT_CONFIRM_COMPLETE")  # fmt: skip
    return Response.empty(sign=True)


def update_refund(app: State, call: Call) -> Response:
    body = refund_body(call.request.json(), _media_check(app, call))
    with app.store.transaction() as db:
        complaint, extra = _load(app, call)
        if complaint.get("problem_type") != "REFUND":
            raise invalid_request("该投诉单不是申请退款类投诉，不支持更新退款审批结果")
        if extra.get("refund_decision") or complaint["complaint_state"] == "PROCESSED":
            raise invalid_request(REPEATED_REFUND)
        extra["refund_decision"] = body["action"]
        if body["action"] == "APPROVE":
            days = body.get("launch_refund_day", 0)
            details = "商户同意退款，" + (
                "将于当天发起退款" if days == 0 else f"预计{days}个工作日内发起退款"
            )
            entry = history_entry("商户", "MERCHANT_APPROVE_REFUND", details)
            _answered(complaint)
            action_type = "MERCHANT_APPROVE_REFUND"
        else:
            images = [MEDIA_PATH + m for m in body.get("reject_media_list", [])]
            reason = body.get("reject_reason", "")
            entry = history_entry("商户", "MERCHANT_REFUSE_RERUND", reason, image_list=images)
            complaint["complaint_state"] = "PROCESSED"  # REJECT closes the complaint
            complaint["incoming_user_response"] = False
            action_type = "MERCHANT_REJECT_REFUND"
        _record(app, db, call, complaint, extra, entry, endpoint="update-refund-progress",
                body=body, action_type=action_type)  # fmt: skip
    return Response.empty(sign=True)
