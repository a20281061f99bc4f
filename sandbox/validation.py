"""Field validation with WeChat's documented limits (spec §3, §7.2, §7.5).

Every failure is a PARAM_ERROR whose detail names the field by its path in the body
(`message.blocks[0].text.color`). Human text is measured in characters (the docs say 字符);
ids and URLs are ASCII, so characters and bytes agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sandbox.normal_message import validate_message
from sandbox.web import param_error

MediaCheck = Callable[[str], bool]


def no_four_byte_chars(value: Any, path: str = "") -> None:
    """APIv3 accepts only 1-3 byte UTF-8 characters: no emoji anywhere in a body."""
    if isinstance(value, str):
        if any(ord(ch) > 0xFFFF for ch in value):
            raise param_error(path or "body", "包含4字节UTF-8字符（如emoji），不被支持")
    elif isinstance(value, dict):
        for key, item in value.items():
            no_four_byte_chars(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            no_four_byte_chars(item, f"{path}[{index}]")


def string(
    body: dict[str, Any], name: str, max_len: int, *, required: bool = False, path: str = ""
) -> str | None:
    field = f"{path}.{name}" if path else name
    value = body.get(name)
    if value is None:
        if required:
            raise param_error(field, "必填字段缺失")
        return None
    if not isinstance(value, str):
        raise param_error(field, "应为字符串")
    if required and not value:
        raise param_error(field, "不能为空")
    if len(value) > max_len:
        raise param_error(field, f"字符数 {len(value)}，大于最大值 {max_len}")
    return value


def https_url(body: dict[str, Any], name: str, max_len: int, *, path: str = "") -> str | None:
    url = string(body, name, max_len, path=path)
    if url is not None and not url.startswith("https://"):
        raise param_error(f"{path}.{name}" if path else name, "链接必须为https格式")
    return url


def media_list(body: dict[str, Any], name: str, max_items: int, media_ok: MediaCheck) -> list[str]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise param_error(name, "应为数组")
    if len(value) > max_items:
        raise param_error(name, f"最多{max_items}张图片，实际{len(value)}张")
    for index, media_id in enumerate(value):
        field = f"{name}[{index}]"
        if not isinstance(media_id, str) or not media_id or len(media_id) > 512:
            raise param_error(field, "media_id格式不正确")
        if not media_ok(media_id):
            raise param_error(field, f"media_id {media_id} 不存在，请先调用上传图片接口")
    return value


def json_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise param_error("body", "请求体应为JSON对象")
    no_four_byte_chars(body)
    return body


def mchid_field(body: dict[str, Any]) -> str:
    return string(body, "complainted_mchid", 64, required=True) or ""


def mini_program(value: Any, path: str, *, all_required: bool) -> None:
    if not isinstance(value, dict):
        raise param_error(path, "应为对象")
    unknown = set(value) - {"appid", "path", "text"}
    if unknown:
        raise param_error(f"{path}.{sorted(unknown)[0]}", "未定义的字段")
    string(value, "appid", 32, required=True, path=path)
    string(value, "path", 512, required=all_required, path=path)
    string(value, "text", 32, required=all_required, path=path)


def response_body(raw: Any, media_ok: MediaCheck) -> dict[str, Any]:
    """POST …/response (§3.4)."""
    body = json_object(raw)
    mchid_field(body)
    string(body, "response_content", 500, required=True)
    media_list(body, "response_images", 4, media_ok)
    jump_url = https_url(body, "jump_url", 512)
    jump_text = string(body, "jump_url_text", 10)
    if (jump_url is None) != (jump_text is None):
        missing = "jump_url_text" if jump_text is None else "jump_url"
        raise param_error(missing, "jump_url与jump_url_text二者缺一不可")
    if "mini_program_jump_info" in body:
        mini_program(body["mini_program_jump_info"], "mini_program_jump_info", all_required=True)
    return body


def immediate_body(raw: Any, media_ok: MediaCheck) -> dict[str, Any]:
    """POST …/response-immediate-service (§3.5)."""
    body = json_object(raw)
    mchid_field(body)
    string(body, "idempotent_id", 128, required=True)
    if "message" not in body:
        raise param_error("message", "必填字段缺失")
    validate_message(body["message"], media_ok)
    return body


def complete_body(raw: Any) -> dict[str, Any]:
    body = json_object(raw)
    mchid_field(body)
    return body


def refund_body(raw: Any, media_ok: MediaCheck) -> dict[str, Any]:
    """POST …/update-refund-progress (§3.7)."""
    body = json_object(raw)
    action = body.get("action")
    if action is None:
        raise param_error("action", "必填字段缺失")
    if action not in ("APPROVE", "REJECT"):
        raise param_error("action", "取值应为APPROVE或REJECT")
    if "launch_refund_day" in body:
        day = body["launch_refund_day"]
        if action != "APPROVE":
            raise param_error("launch_refund_day", "仅同意退款（APPROVE）时可填写")
        if not isinstance(day, int) or isinstance(day, bool) or day < 0:
            raise param_error("launch_refund_day", "应为非负整数")
    string(body, "reject_reason", 200)
    media_list(body, "reject_media_list", 4, media_ok)
    string(body, "remark", 200)
    return body


def notify_url_body(raw: Any) -> str:
    """POST/PUT complaint-notifications. Deviation: http:// is accepted for loopback hosts only,
    so a console running without TLS in development can receive notifications."""
    body = json_object(raw)
    url = string(body, "url", 255, required=True) or ""
    parts = urlsplit(url)
    loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not loopback:
        raise param_error("url", "通知地址仅支持https")
    if not parts.hostname or parts.query or parts.fragment:
        raise param_error("url", "通知地址不能携带查询参数")
    if not parts.hostname.isascii():
        raise param_error("url", "通知地址不支持中文域名")
    return url


def _int_param(query: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise param_error(name, "应为整数", location="query")
    value = int(raw)
    if not low <= value <= high:
        raise param_error(name, f"取值范围为[{low},{high}]", location="query")
    return value


def page(query: dict[str, str], default_limit: int, max_limit: int) -> tuple[int, int]:
    limit = _int_param(query, "limit", default_limit, 1, max_limit)
    offset = _int_param(query, "offset", 0, 0, 10**9)
    return limit, offset


def _date(query: dict[str, str], name: str) -> dt.date:
    raw = query.get(name)
    if not raw:
        raise param_error(name, "必填字段缺失", location="query")
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise param_error(name, "日期格式应为yyyy-MM-dd", location="query") from exc


def date_span(query: dict[str, str]) -> tuple[dt.date, dt.date]:
    begin, end = _date(query, "begin_date"), _date(query, "end_date")
    if end < begin:
        raise param_error("end_date", "结束日期不能早于开始日期", location="query")
    if (end - begin).days > 30:
        raise param_error("end_date", "查询日期跨度不能超过30天", location="query")
    return begin, end
