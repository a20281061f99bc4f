"""Validate, serialize and export: the functions the rest of the console calls."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import ROOT_PATH, ValidationResult, errors_from_pydantic, render
from .limits import MessageLimits, limits_from_settings
from .models import NormalMessage, PlainReply
from .rules import LIMITS_CONTEXT_KEY, exporting_with

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def validate_normal_message(data: Any, limits: MessageLimits | None = None) -> ValidationResult:
    """Validate a NormalMessage (the ``message`` object of §3.5) from the browser or a template.

    Never raises for bad input: every problem is a ``(path, message)`` pair in ``.errors``.
    """
    return _validate(NormalMessage, data, limits)


def validate_plain_reply(data: Any, limits: MessageLimits | None = None) -> ValidationResult:
    """Validate the agent-written fields of a /response reply (§3.4).

    The content's one rule is WeChat Pay's newest: at most 500 characters
    (``WECHAT_REPLY_CONTENT_MAX_CHARS``), the number the composer's counter shows.
    """
    return _validate(PlainReply, data, limits)


def _validate(model: type[BaseModel], data: Any, limits: MessageLimits | None) -> ValidationResult:
    context = {LIMITS_CONTEXT_KEY: limits or limits_from_settings()}
    try:
        return ValidationResult(message=model.model_validate(data, context=context))
    except ValidationError as exc:
        return ValidationResult(errors=errors_from_pydantic(exc) or [(ROOT_PATH, render(""))])


def to_wechat_payload(model: NormalMessage | PlainReply) -> dict[str, Any]:
    """The exact JSON WeChat expects for a validated model: no nulls, only the sub-objects in use.

    For a NormalMessage this is the value of the request's ``message`` key; for a PlainReply the
    reply fields. The caller adds ``complainted_mchid`` (and ``idempotent_id``).
    """
    return model.model_dump(mode="json", exclude_none=True)


def normal_message_json_schema(limits: MessageLimits | None = None) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of NormalMessage with the limits in force, for the composer.

    The composer reads each text field's ``maxLength`` from it (the ``message_schema`` template
    tag, ``static/js/controllers/composer_limits.js``). The server stays the validator of record:
    the schema cannot count UTF-8 bytes (it carries ``x-maxBytes`` beside ``maxLength``), nor
    check that a date exists or a URL has a host.
    """
    return _json_schema(NormalMessage, limits)


def plain_reply_json_schema(limits: MessageLimits | None = None) -> dict[str, Any]:
    """JSON Schema of the plain reply, as :func:`normal_message_json_schema`."""
    return _json_schema(PlainReply, limits)


def _json_schema(model: type[BaseModel], limits: MessageLimits | None) -> dict[str, Any]:
    with exporting_with(limits or limits_from_settings()):
        schema = model.model_json_schema()
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}
