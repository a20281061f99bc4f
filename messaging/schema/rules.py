"""Field rules used as ``Annotated`` metadata: one object validates a field and describes it.

``Annotated[str, Text("button_text_max_chars")]`` checks the string on the server (4-byte and
control characters, blankness, length from the limits in force, URL/AppID/date format) and puts
the same constraints into the exported JSON Schema (``maxLength``, ``pattern``...), so the browser
and the server cannot drift apart. Limits are looked up at validation time from the pydantic
validation context (``{"limits": MessageLimits}``) and at export time from :func:`exporting_with`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationError, ValidationInfo
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from .limits import MessageLimits, limits_from_settings

LIMITS_CONTEXT_KEY = "limits"

# Characters WeChat accepts, as a regex class valid in both Python and ECMAScript: tab, newline,
# carriage return and every other BMP character except C0/C1 controls and surrogates. Excluding
# surrogates also rejects emoji in a browser regex without the "u" flag (they are surrogate pairs).
ALLOWED_CHARS = r"[\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\uffff]"
_RFC3339 = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}"
_RFC3339_RE = re.compile(_RFC3339, re.ASCII)
# A reply-template variable, ``{{ name }}``: filled when a template is inserted; one still in the
# text had no value (or is unknown), and would reach the user verbatim.
_PLACEHOLDER = r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}"
PLACEHOLDER = re.compile(_PLACEHOLDER)
# The same refusal for the browser's JSON Schema (valid in Python and ECMAScript, any line).
_NO_PLACEHOLDER = r"(?![\s\S]*" + _PLACEHOLDER.replace("(", "(?:", 1) + ")"
_MAX_NAMED_CHARS = 5

_export_limits: ContextVar[MessageLimits | None] = ContextVar("export_limits", default=None)


@contextmanager
def exporting_with(limits: MessageLimits) -> Iterator[None]:
    """Make JSON Schema generation inside the block use ``limits``."""
    token = _export_limits.set(limits)
    try:
        yield
    finally:
        _export_limits.reset(token)


def limits_of(info: ValidationInfo) -> MessageLimits:
    context = info.context
    if isinstance(context, dict) and isinstance(context.get(LIMITS_CONTEXT_KEY), MessageLimits):
        return context[LIMITS_CONTEXT_KEY]
    return limits_from_settings()


def _resolve(limit: str | int, limits: MessageLimits) -> int:
    return limit if isinstance(limit, int) else getattr(limits, limit)


def custom_error(error_type: str, **ctx: Any) -> PydanticCustomError:
    # The English template only shows in pydantic's own repr; users get errors.render() text.
    return PydanticCustomError(error_type, error_type, ctx)


def utf8_length(value: str) -> int:
    """UTF-8 byte length without encoding (lone surrogates would make encode() raise)."""
    return sum(
        1 if c < "\x80" else 2 if c < "\u0800" else 3 if c < "\U00010000" else 4 for c in value
    )


def check_characters(value: str) -> None:
    """Refuse what WeChat refuses (§7.5): 4-byte characters, naming them; also controls."""
    four_byte = list(dict.fromkeys(c for c in value if c > "\uffff"))
    if four_byte:
        raise custom_error("four_byte_char", char=" ".join(four_byte[:_MAX_NAMED_CHARS]))
    for char in value:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise custom_error("invalid_char", code=f"U+{code:04X}")
        if (code < 0x20 and char not in "\t\n\r") or 0x7F <= code <= 0x9F:
            raise custom_error("control_char", code=f"U+{code:04X}")


def check_placeholders(value: str) -> None:
    """Refuse a template variable left unfilled, naming it: it must never be sent as written."""
    unfilled = list(dict.fromkeys(match.group(0) for match in PLACEHOLDER.finditer(value)))
    if unfilled:
        raise custom_error(
            "unfilled_placeholder", placeholder=" ".join(unfilled[:_MAX_NAMED_CHARS])
        )


@dataclass(frozen=True)
class Text:
    """A string rule. ``limit`` is a MessageLimits field name or a fixed (WeChat) number."""

    limit: str | int
    unit: Literal["chars", "bytes"] = "chars"
    kind: Literal["text", "https_url", "appid", "rfc3339"] = "text"
    allow_blank: bool = False

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(self.validate, handler(source))

    def validate(self, value: str, info: ValidationInfo) -> str:
        check_characters(value)
        if not self.allow_blank and not value.strip():
            raise custom_error("blank")
        check_placeholders(value)
        limits = limits_of(info)
        # Format first: for a date or an AppID "wrong format" helps more than "too long".
        _KIND_CHECKS[self.kind](value, limits)
        maximum = _resolve(self.limit, limits)
        actual = utf8_length(value) if self.unit == "bytes" else len(value)
        if actual > maximum:
            raise custom_error(f"too_long_{self.unit}", limit=maximum, actual=actual)
        return value

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        json_schema = handler(schema)
        limits = _export_limits.get() or limits_from_settings()
        json_schema["maxLength"] = _resolve(self.limit, limits)
        if self.unit == "bytes":
            # JSON Schema cannot count bytes; maxLength is the necessary condition, this the rule.
            json_schema["x-maxBytes"] = json_schema["maxLength"]
        if isinstance(self.limit, str):
            # The console's own limit (MessageLimits), not one WeChat Pay publishes: the composer
            # must not blame WeChat Pay for it.
            json_schema["x-consoleLimit"] = True
        if not self.allow_blank:
            json_schema["minLength"] = 1
        json_schema["pattern"] = _PATTERNS[self.kind](limits)
        return json_schema


def _check_text(value: str, limits: MessageLimits) -> None:
    return None


def _check_https_url(value: str, limits: MessageLimits) -> None:
    if not value.startswith("https://"):
        raise custom_error("not_https")
    try:
        host = urlsplit(value).hostname
    except ValueError:
        host = None
    if not host:
        raise custom_error("invalid_url")


def _check_appid(value: str, limits: MessageLimits) -> None:
    if not re.fullmatch(limits.appid_pattern, value):
        raise custom_error("invalid_appid")


def _check_rfc3339(value: str, limits: MessageLimits) -> None:
    # Always a numeric offset, never "Z" or fractions: the form WeChat documents and shows.
    if not _RFC3339_RE.fullmatch(value):
        raise custom_error("invalid_datetime")
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:  # 2026-02-30, 25:00, +24:00...
        raise custom_error("invalid_datetime") from exc


_KIND_CHECKS = {
    "text": _check_text,
    "https_url": _check_https_url,
    "appid": _check_appid,
    "rfc3339": _check_rfc3339,
}
_PATTERNS = {
    "text": lambda limits: f"^{_NO_PLACEHOLDER}{ALLOWED_CHARS}*$",
    "https_url": lambda limits: f"^{_NO_PLACEHOLDER}https://(?![/?#]){ALLOWED_CHARS}+$",
    "appid": lambda limits: f"^(?:{limits.appid_pattern})$",
    "rfc3339": lambda limits: f"^{_RFC3339}$",
}


@dataclass(frozen=True)
class Items:
    """A list-length rule: at least ``min`` items, at most ``limit`` (field name or number)."""

    limit: str | int
    min: int = 1

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(self.validate, handler(source))

    def validate(self, value: list[Any], info: ValidationInfo) -> list[Any]:
        maximum = _resolve(self.limit, limits_of(info))
        if len(value) < self.min:
            raise custom_error("too_few_items", limit=self.min, actual=len(value))
        if len(value) > maximum:
            raise custom_error("too_many_items", limit=maximum, actual=len(value))
        return value

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        json_schema = handler(schema)
        limits = _export_limits.get() or limits_from_settings()
        json_schema["maxItems"] = _resolve(self.limit, limits)
        if self.min:
            json_schema["minItems"] = self.min
        return json_schema


def errors_at(title: str, problems: list[tuple[str, str]]) -> ValidationError:
    """A ValidationError for errors found by a model validator, each at its own field.

    pydantic-core keeps the locations of a ValidationError raised inside a validator and prefixes
    them with the model's own path, so these land at e.g. ``jump_url_text``, not at the model.
    """
    return ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(type=custom_error(error_type), loc=(field,), input=None)
            for field, error_type in problems
        ],
    )
