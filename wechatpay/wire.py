"""What goes on the wire and comes back: JSON bodies, paths, argument checks, response parsing
and error mapping. Pure functions, shared by the Client's operations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from wechatpay.errors import ApiError, InvalidArgumentError
from wechatpay.transport import RawResponse

COMPLAINTS = "/v3/merchant-service/complaints-v2"
MAX_WINDOW_DAYS = 30  # a list query may span at most 30 days (§3.1); windows are inclusive
_M = TypeVar("_M", bound=BaseModel)


def dump_json(data: Mapping[str, Any]) -> bytes:
    """Serialize once: these exact bytes are signed and sent. `None` values are dropped because
    APIv3 forbids null, and 4-byte characters (emoji) are refused because APIv3 rejects them
    (§7.5): better a clear local error than a PARAM_ERROR round trip."""
    body = json.dumps(_without_none(data), ensure_ascii=False, separators=(",", ":"))
    encoded = body.encode("utf-8")
    if _FOUR_BYTE_LEAD.search(encoded):
        field = _four_byte_field(data, "") or "the request"
        raise InvalidArgumentError(
            f"{field} contains a character WeChat Pay does not accept (4-byte UTF-8, e.g. an emoji)"
        )
    return encoded


_FOUR_BYTE_LEAD = re.compile(rb"[\xf0-\xf4]")


def _four_byte_field(value: Any, path: str) -> str | None:
    """The path of the first string holding a character outside the Basic Multilingual Plane."""
    if isinstance(value, str):
        return path if any(ord(ch) > 0xFFFF for ch in value) else None
    if not isinstance(value, Mapping | list | tuple):
        return None
    items = value.items() if isinstance(value, Mapping) else enumerate(value)
    for key, item in items:
        found = _four_byte_field(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def _without_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value]
    return value


def date_windows(
    begin: date, end: date, days: int = MAX_WINDOW_DAYS
) -> Iterator[tuple[date, date]]:
    """Split [begin, end] (inclusive) into consecutive windows of at most `days` calendar days."""
    if begin > end:
        raise InvalidArgumentError(f"begin {begin} is after end {end}")
    start = begin
    while start <= end:
        stop = min(start + timedelta(days=days - 1), end)
        yield start, stop
        start = stop + timedelta(days=1)


def complaint_path(complaint_id: str, action: str | None = None) -> str:
    if not complaint_id or len(complaint_id) > 64:
        raise InvalidArgumentError("complaint_id must have 1 to 64 characters")
    path = f"{COMPLAINTS}/{quote(complaint_id, safe='')}"
    return f"{path}/{action}" if action else path


def check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise InvalidArgumentError(f"{name} must be between {low} and {high}, got {value}")


def check_media_ids(name: str, media_ids: Sequence[str]) -> None:
    if isinstance(media_ids, str):
        raise InvalidArgumentError(f"{name} must be a list of media_ids, not one string")
    if len(media_ids) > 4:
        raise InvalidArgumentError(f"{name} takes at most 4 images, got {len(media_ids)}")


def parse_json(response: RawResponse) -> dict[str, Any]:
    try:
        data = json.loads(response.body)
    except (UnicodeDecodeError, ValueError):
        raise unexpected(response, "response body is not JSON") from None
    if not isinstance(data, dict):
        raise unexpected(response, "response body is not a JSON object")
    return data


def parse_model(model: type[_M], data: Any) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(
            200,
            "UNEXPECTED_RESPONSE",
            f"{model.__name__} does not match the documented shape: {exc.error_count()} errors",
            detail=exc.errors(include_url=False, include_input=False),
        ) from exc


def unexpected(response: RawResponse, message: str) -> ApiError:
    return ApiError(response.status, "UNEXPECTED_RESPONSE", message, None, response.request_id)


def api_error(response: RawResponse) -> ApiError:
    """Map a non-2xx answer to ApiError, keeping WeChat's code, message and detail."""
    try:
        data = json.loads(response.body) if response.body else {}
    except (UnicodeDecodeError, ValueError):
        data = None
    if isinstance(data, dict) and data.get("code"):
        return ApiError(
            response.status,
            str(data["code"]),
            str(data.get("message", "")),
            data.get("detail"),
            response.request_id,
        )
    text = response.body[:200].decode("utf-8", "replace")
    return ApiError(
        response.status,
        f"HTTP_{response.status}",
        text or "no error body",
        None,
        response.request_id,
    )
