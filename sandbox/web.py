"""Plain request/response values and the WeChat error type shared by every handler."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class ApiError(Exception):
    """An error answer in WeChat's shape: HTTP status plus {code, message, detail}."""

    def __init__(
        self, status: int, code: str, message: str, detail: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.detail is not None:
            body["detail"] = self.detail
        return body


def param_error(field_name: str, issue: str, location: str = "body") -> ApiError:
    """PARAM_ERROR whose message and detail both name the offending field."""
    return ApiError(
        400,
        "PARAM_ERROR",
        f"输入源“/{location}/{field_name}”校验失败：{issue}",
        {"field": field_name, "location": location, "issue": issue},
    )


def invalid_request(message: str) -> ApiError:
    return ApiError(400, "INVALID_REQUEST", message)


@dataclass
class Request:
    method: str
    target: str  # raw request-target exactly as sent: what the merchant signed
    headers: dict[str, str]  # lower-cased names
    body: bytes
    path: str = ""
    query: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.target)
        self.path = parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def form(self) -> dict[str, str]:
        """An HTML form's fields (application/x-www-form-urlencoded), last value wins."""
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError(400, "PARAM_ERROR", "表单不是合法的UTF-8") from exc
        return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(
                400, "PARAM_ERROR", "请求体不是合法的JSON", {"location": "body", "issue": str(exc)}
            ) from exc


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    sign: bool = False  # sign with the platform key (WeChat surface)
    drop: bool = False  # close the connection without answering (fault injection)

    @classmethod
    def json(cls, status: int, payload: Any, *, sign: bool = False) -> Response:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(status, body, {"Content-Type": JSON_CONTENT_TYPE}, sign=sign)

    @classmethod
    def empty(cls, *, sign: bool = False) -> Response:
        return cls(204, b"", {}, sign=sign)

    @classmethod
    def error(cls, err: ApiError, *, sign: bool = True) -> Response:
        return cls.json(err.status, err.body(), sign=sign)
