"""NormalMessage validation for immediate-service replies (spec §3.5).

Only documented keys are accepted, enums are checked, and the members each block or action type
needs are required. WeChat publishes no limits on how many blocks, buttons or FAQs a message may
carry, nor on text lengths inside blocks, so none are enforced here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sandbox.web import param_error

MediaCheck = Callable[[str], bool]

BLOCK_TYPES = {
    "TEXT": "text",
    "IMAGE": "image",
    "LINK": "link",
    "FAQ_LIST": "faq_list",
    "BUTTON": "button",
    "BUTTON_GROUP": "button_group",
}
ACTION_TYPES = (
    "ACTION_TYPE_SEND_MESSAGE",
    "ACTION_TYPE_JUMP_URL",
    "ACTION_TYPE_JUMP_MINI_PROGRAM",
)
KEYS = {
    "message": {"blocks", "sender_identity", "custom_data"},
    "block": {"type", *BLOCK_TYPES.values()},
    "text": {"text", "color", "is_bold"},
    "image": {"media_id", "image_style_type"},
    "link": {"text", "action", "invalid_info"},
    "faq_list": {"faqs"},
    "faq": {"faq_id", "faq_title", "action"},
    "button": {"text", "action", "invalid_info"},
    "button_group": {"buttons", "button_layout", "invalid_info"},
    "action": {"action_type", "jump_url", "mini_program_jump_info", "message_info", "action_id"},
    "mini_program_jump_info": {"appid", "path", "text"},
    "message_info": {"content", "custom_data"},
    "invalid_info": {"expired_time", "multi_clickable"},
}


def _object(value: Any, path: str, kind: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise param_error(path, "应为对象")
    unknown = sorted(set(value) - KEYS[kind])
    if unknown:
        raise param_error(f"{path}.{unknown[0]}", "未定义的字段")
    return value


def _list(value: Any, path: str, *, non_empty: bool) -> list[Any]:
    if not isinstance(value, list):
        raise param_error(path, "应为数组")
    if non_empty and not value:
        raise param_error(path, "不能为空")
    return value


def _str(obj: dict[str, Any], name: str, path: str, *, required: bool, max_len: int = 0) -> None:
    field = f"{path}.{name}"
    if name not in obj:
        if required:
            raise param_error(field, "必填字段缺失")
        return
    value = obj[name]
    if not isinstance(value, str):
        raise param_error(field, "应为字符串")
    if required and not value:
        raise param_error(field, "不能为空")
    if max_len and len(value) > max_len:
        raise param_error(field, f"字符数 {len(value)}，大于最大值 {max_len}")


def _enum(obj: dict[str, Any], name: str, path: str, allowed: tuple[str, ...]) -> None:
    if name in obj and obj[name] not in allowed:
        raise param_error(f"{path}.{name}", f"取值应为 {' / '.join(allowed)}")


def _bool(obj: dict[str, Any], name: str, path: str) -> None:
    if name in obj and not isinstance(obj[name], bool):
        raise param_error(f"{path}.{name}", "应为布尔值")


def _invalid_info(value: Any, path: str) -> None:
    info = _object(value, path, "invalid_info")
    _bool(info, "multi_clickable", path)
    if "expired_time" in info:
        raw = info["expired_time"]
        try:
            parsed = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise param_error(
                f"{path}.expired_time", "应为RFC3339时间，如2015-05-20T13:29:35+08:00"
            )


def _action(value: Any, path: str) -> None:
    action = _object(value, path, "action")
    if "action_type" not in action:
        raise param_error(f"{path}.action_type", "必填字段缺失")
    _enum(action, "action_type", path, ACTION_TYPES)
    _str(action, "action_id", path, required=False, max_len=4096)
    kind = action["action_type"]
    _str(action, "jump_url", path, required=kind == "ACTION_TYPE_JUMP_URL", max_len=512)
    if "jump_url" in action and not action["jump_url"].startswith("https://"):
        raise param_error(f"{path}.jump_url", "链接必须为https格式")
    if "mini_program_jump_info" in action or kind == "ACTION_TYPE_JUMP_MINI_PROGRAM":
        sub = f"{path}.mini_program_jump_info"
        info = _object(action.get("mini_program_jump_info"), sub, "mini_program_jump_info")
        _str(info, "appid", sub, required=True, max_len=32)
        _str(info, "path", sub, required=False, max_len=512)
        _str(info, "text", sub, required=False, max_len=64)
    if "message_info" in action or kind == "ACTION_TYPE_SEND_MESSAGE":
        sub = f"{path}.message_info"
        info = _object(action.get("message_info"), sub, "message_info")
        _str(info, "content", sub, required=True)
        _str(info, "custom_data", sub, required=False, max_len=4096)


def _clickable(value: Any, path: str, kind: str, *, required: bool) -> None:
    """link and button share a shape: text + action (+ invalid_info)."""
    obj = _object(value, path, kind)
    _str(obj, "text", path, required=required)
    if "action" in obj or required:
        if "action" not in obj:
            raise param_error(f"{path}.action", "必填字段缺失")
        _action(obj["action"], f"{path}.action")
    if "invalid_info" in obj:
        _invalid_info(obj["invalid_info"], f"{path}.invalid_info")


def _block_part(kind: str, value: Any, path: str, media_ok: MediaCheck, required: bool) -> None:
    if kind == "text":
        obj = _object(value, path, "text")
        _str(obj, "text", path, required=required)
        _enum(obj, "color", path, ("DEFAULT", "SECONDARY"))
        _bool(obj, "is_bold", path)
    elif kind == "image":
        obj = _object(value, path, "image")
        _str(obj, "media_id", path, required=required, max_len=512)
        _enum(obj, "image_style_type", path, ("IMAGE_STYLE_TYPE_NARROW", "IMAGE_STYLE_TYPE_WIDE"))
        if obj.get("media_id") and not media_ok(obj["media_id"]):
            raise param_error(f"{path}.media_id", "media_id不存在，请先调用上传图片接口")
    elif kind in ("link", "button"):
        _clickable(value, path, kind, required=required)
    elif kind == "faq_list":
        obj = _object(value, path, "faq_list")
        faqs = _list(obj.get("faqs", []), f"{path}.faqs", non_empty=required)
        for index, faq in enumerate(faqs):
            faq_path = f"{path}.faqs[{index}]"
            item = _object(faq, faq_path, "faq")
            _str(item, "faq_id", faq_path, required=False)
            _str(item, "faq_title", faq_path, required=required)
            if "action" in item:
                _action(item["action"], f"{faq_path}.action")
    elif kind == "button_group":
        obj = _object(value, path, "button_group")
        layouts = ("LAYOUT_UNKNOWN", "LAYOUT_HORIZONTAL", "LAYOUT_VERTICAL")
        _enum(obj, "button_layout", path, layouts)
        buttons = _list(obj.get("buttons", []), f"{path}.buttons", non_empty=required)
        for index, button in enumerate(buttons):
            _clickable(button, f"{path}.buttons[{index}]", "button", required=required)
        if "invalid_info" in obj:
            _invalid_info(obj["invalid_info"], f"{path}.invalid_info")


def validate_message(value: Any, media_ok: MediaCheck) -> None:
    message = _object(value, "message", "message")
    _enum(message, "sender_identity", "message", ("UNKNOWN", "MANUAL", "MACHINE"))
    _str(message, "custom_data", "message", required=False, max_len=4096)
    blocks = _list(message.get("blocks"), "message.blocks", non_empty=True)
    for index, raw_block in enumerate(blocks):
        path = f"message.blocks[{index}]"
        block = _object(raw_block, path, "block")
        if "type" not in block:
            raise param_error(f"{path}.type", "必填字段缺失")
        if block["type"] not in BLOCK_TYPES:
            raise param_error(f"{path}.type", f"取值应为 {' / '.join(BLOCK_TYPES)}")
        wanted = BLOCK_TYPES[block["type"]]
        if wanted not in block:
            raise param_error(f"{path}.{wanted}", f"{block['type']}类型的消息块必须填写{wanted}")
        # SDK samples fill every sub-object as a template: check them all, require only the one
        # that matches the block type.
        for kind in BLOCK_TYPES.values():
            if kind in block:
                _block_part(kind, block[kind], f"{path}.{kind}", media_ok, kind == wanted)
