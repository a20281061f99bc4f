"""Validation results and the user-facing text of every schema error.

Error paths are dotted: object keys and list indices joined by ".", indices in decimal from 0,
e.g. ``blocks.2.button.action.jump_url`` or ``response_images.1``. The empty string ``""`` means
the payload as a whole (for instance when it is not a JSON object). The same format is used for
warnings, so the composer can show both beside the field they name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from pydantic import ValidationError

ROOT_PATH = ""


def gettext_noop(message: str) -> str:
    """Mark a message for makemessages (which looks for this name) and translate it later.

    Django's own gettext_noop reads settings when called, which would break importing this module
    without configured settings.
    """
    return message


# Error type (pydantic's own or raised by our rules) -> English source text, translated when shown.
_MESSAGES: dict[str, str] = {
    "missing": gettext_noop("This field is required."),
    "extra_forbidden": gettext_noop("This field is not allowed: remove it."),
    "block_content_mismatch": gettext_noop("Not used by %(block_type)s blocks: remove it."),
    "action_target_mismatch": gettext_noop("Not used by %(action_type)s actions: remove it."),
    "string_type": gettext_noop("Must be text."),
    "bool_type": gettext_noop("Must be true or false."),
    "list_type": gettext_noop("Must be a list."),
    "model_type": gettext_noop("Must be an object."),
    "model_attributes_type": gettext_noop("Must be an object."),
    "dict_type": gettext_noop("Must be an object."),
    "enum": gettext_noop("Must be one of %(expected)s."),
    "blank": gettext_noop("Must not be empty."),
    "too_long_chars": gettext_noop("At most %(limit)s characters (now %(actual)s)."),
    "too_long_bytes": gettext_noop("At most %(limit)s bytes in UTF-8 (now %(actual)s)."),
    "too_few_items": gettext_noop("At least %(limit)s required."),
    "too_many_items": gettext_noop("At most %(limit)s allowed (now %(actual)s)."),
    "four_byte_char": gettext_noop("4-byte characters such as emoji are not supported: %(char)s"),
    "control_char": gettext_noop("Control characters are not allowed (%(code)s)."),
    "invalid_char": gettext_noop("Contains an invalid character (%(code)s)."),
    "not_https": gettext_noop("Must be an HTTPS link starting with https://."),
    "invalid_url": gettext_noop("Must be a complete link such as https://example.com/page."),
    "invalid_appid": gettext_noop("Must be a mini program AppID such as wx1234567890abcdef."),
    "invalid_datetime": gettext_noop(
        "Must be a date and time with its UTC offset, such as 2015-05-20T13:29:35+08:00."
    ),
    "link_text_without_url": gettext_noop("Give the link as well, or remove the link text."),
    "url_without_link_text": gettext_noop("Give the link text as well, or remove the link."),
    "one_jump_only": gettext_noop("Use either a link or a mini program, not both."),
    "unfilled_placeholder": gettext_noop(
        "The template variable %(placeholder)s has no value here: replace it with the words "
        "to send."
    ),
}
_FALLBACK = gettext_noop("This value is not valid.")


def render(error_type: str, ctx: Mapping[str, Any] | None = None) -> str:
    """The message for an error type in the active language, with its context filled in."""
    text = _translate(_MESSAGES.get(error_type, _FALLBACK))
    try:
        return text % dict(ctx or {})
    except (KeyError, TypeError, ValueError):
        # A pydantic error sharing a type name but not our context: say something true.
        return _translate(_FALLBACK)


def _translate(text: str) -> str:
    # Translating needs configured settings; outside Django (scripts, the sandbox) stay English.
    if not settings.configured:
        return text
    return gettext(text)


def dotted_path(loc: Iterable[str | int]) -> str:
    """``("blocks", 2, "text")`` -> ``"blocks.2.text"``; ``()`` -> ``""`` (the whole payload)."""
    return ".".join(str(part) for part in loc)


def errors_from_pydantic(exc: ValidationError) -> list[tuple[str, str]]:
    return [
        (dotted_path(error["loc"]), render(error["type"], error.get("ctx")))
        for error in exc.errors(include_url=False, include_input=False)
    ]


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of validating a payload; ``message`` is the model when there are no errors."""

    message: Any = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_path(self) -> dict[str, list[str]]:
        """Errors grouped by path, as the composer shows them beside each field."""
        grouped: dict[str, list[str]] = {}
        for path, text in self.errors:
            grouped.setdefault(path, []).append(text)
        return grouped
