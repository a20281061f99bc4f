"""The consumer's (and the platform's) side, driven through the control API.

Each action appends what WeChat would put in the negotiation history, updates the complaint's
flags, and queues the notification WeChat would push.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sandbox import seed
from sandbox.complaints import history_entry
from sandbox.web import ApiError

if TYPE_CHECKING:
    from sandbox.state import State


def _bad(message: str) -> ApiError:
    return ApiError(400, "PARAM_ERROR", message)


def _actions_in(message: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for block in message.get("blocks", []):
        for key in ("link", "button"):
            if isinstance(block.get(key), dict) and "action" in block[key]:
                yield block[key]["action"]
        for button in (block.get("button_group") or {}).get("buttons", []):
            if "action" in button:
                yield button["action"]
        for faq in (block.get("faq_list") or {}).get("faqs", []):
            if "action" in faq:
                yield faq["action"]


def _find_click(app: State, complaint_id: str, action_id: str) -> tuple[str, dict[str, Any]]:
    """The merchant message holding this action_id, newest first."""
    for entry in reversed(app.store.history(complaint_id)):
        for action in _actions_in(entry.get("normal_message") or {}):
            if action.get("action_id") == action_id:
                return entry["log_id"], action
    raise _bad(f"no merchant message of this complaint has a button with action_id {action_id!r}")


def _text(body: dict[str, Any], default: str) -> str:
    content = body.get("content", default)
    if not isinstance(content, str) or not content:
        raise _bad("content must be a non-empty string")
    return content


Outcome = tuple[dict[str, Any], str]  # the history entry, the notification action_type


def _message(app: State, c: dict, extra: dict, body: dict) -> Outcome:
    c["incoming_user_response"] = True
    text = _text(body, seed.USER_MESSAGES[0])
    return history_entry("投诉人", "USER_RESPONSE", text), "USER_RESPONSE"


def _continue(app: State, c: dict, extra: dict, body: dict) -> Outcome:
    c["user_complaint_times"] += 1
    c["complaint_state"] = "PENDING"  # a continued complaint needs handling again
    c["incoming_user_response"] = True
    text = _text(body, seed.USER_MESSAGES[3])
    return history_entry("投诉人", "USER_CONTINUE_COMPLAINT", text), "CONTINUE_COMPLAINT"


def _click(app: State, c: dict, extra: dict, body: dict) -> Outcome:
    action_id = body.get("action_id")
    if not isinstance(action_id, str) or not action_id:
        raise _bad("action_id is required for a click")
    log_id, clicked = _find_click(app, c["complaint_id"], action_id)
    content = (clicked.get("message_info") or {}).get("content", "")
    c["incoming_user_response"] = True
    click = {"message_content": content, "action_id": action_id, "clicked_log_id": log_id}
    entry = history_entry("投诉人", "USER_CLICK_RESPONSE", content, click_message=click)
    return entry, "USER_RESPONSE"


def _apply_platform(app: State, c: dict, extra: dict, body: dict) -> Outcome:
    c["in_platform_service"] = True
    reason = _text(body, "商家未能解决问题")
    entry = history_entry(
        "投诉人",
        "USER_APPLY_PLATFORM_SERVICE",
        reason,
        user_appy_platform_service_reason=reason,
        user_appy_platform_service_reason_description=body.get("description", ""),
    )
    return entry, "USER_APPLY_PLATFORM_SERVICE"


def _cancel_platform(app: State, c: dict, extra: dict, body: dict) -> Outcome:
    c["in_platform_service"] = False
    entry = history_entry("投诉人", "USER_CANCEL_PLATFORM_SERVICE", "用户取消平台协助")
    return entry, "USER_CANCEL_PLATFORM_SERVICE"


def _platform_finished(app: State, c: dict, extra: dict, body: dict) -> Outcome:
    c["in_platform_service"] = False
    entry = history_entry("系统", "PLATFORM_SERVICE_FINISHED", "平台协助已结束")
    return entry, "PLATFORM_SERVICE_FINISHED"


def _platform_response(app: State, c: dict, extra: dict, body: dict) -> Outcome:
    text = _text(body, "平台已介入，请商户尽快与用户协商处理。")
    return history_entry("微信支付客服", "PLATFORM_RESPONSE", text), "RESPONSE_BY_PLATFORM"


def _refund_received(app: State, c: dict, extra: dict, body: dict) -> Outcome:
    c["complaint_full_refunded"] = True
    if extra.get("refund_decision") == "APPROVE":
        c["complaint_state"] = "PROCESSED"  # an approved refund arriving closes the complaint
        entry = history_entry("系统", "COMPLAINT_REFUND_RECEIVED_SYSTEM_MESSAGE", "退款已到账")
        return entry, "REFUND_SUCCESS"
    entry = history_entry("系统", "COMPLAINT_FULL_REFUNDED_SYSTEM_MESSAGE", "订单已全额退款")
    return entry, "SELLER_REFUND"


def _satisfaction(app: State, c: dict, extra: dict, body: dict) -> Outcome:
    score = body.get("score", 5)
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise _bad("score must be an integer from 1 to 5")
    return history_entry("投诉人", "USER_SUBMIT_SATISFACTION", f"满意度：{score}星"), ""


ACTIONS: dict[str, Callable[[State, dict, dict, dict], Outcome]] = {
    "message": _message,
    "continue": _continue,
    "click": _click,
    "apply_platform_service": _apply_platform,
    "cancel_platform_service": _cancel_platform,
    "platform_service_finished": _platform_finished,
    "platform_response": _platform_response,
    "refund_received": _refund_received,
    "satisfaction": _satisfaction,
}


def perform(app: State, complaint_id: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or body.get("action") not in ACTIONS:
        raise _bad(f"action must be one of {', '.join(ACTIONS)}")
    with app.store.transaction() as db:
        found = app.store.complaint_get(complaint_id)
        if found is None:
            raise ApiError(404, "NOT_FOUND", f"no complaint {complaint_id}")
        complaint, _phone, extra = found
        entry, action_type = ACTIONS[body["action"]](app, complaint, extra, body)
        app.store.complaint_update(db, complaint, extra)
        app.store.history_append(db, complaint_id, entry)
        if action_type:
            app.notifier.enqueue(db, complaint["complainted_mchid"], complaint_id, action_type)
    return entry
