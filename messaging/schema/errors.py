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

from django.utils.translation import gettext_noop as N_
from pydantic import ValidationError

ROOT_PATH = ""

# Error type (pydantic's own or raised by our rules) -> English source text, translated when shown.
_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("This field is not allowed: remove it."),
    "block_content_mismatch": N_("This content does not belong on a %(block_type)s block."),
    "action_target_mismatch": N_("This does not belong to a %(action_type)s action."),
    "string_type": N_("Must be text."),
    "bool_type": N_("Must be true or false."),
    "list_type": N_("Must be a list."),
    "model_type": N_("Must be an object."),
    "model_attributes_type": N_("Must be an object."),
    "dict_type": N_("Must be an object."),
    "enum": N_("Must be one of %(expected)s."),
    "blank": N_("Must not be empty."),
    "too_long_chars": N_("At most %(limit)s characters (now %(actual)s)."),
    "too_long_bytes": N_("At most %(limit)s bytes in UTF-8 (now %(actual)s)."),
    "too_few_items": N_("Add at least %(limit)s."),
    "too_many_items": N_("At most %(limit)s allowed (now %(actual)s)."),
    "four_byte_char": N_("4-byte characters such as emoji are not supported: %(char)s"),
    "control_char": N_("Control characters are not allowed (%(code)s)."),
    "invalid_char": N_("Contains an invalid character (%(code)s)."),
    "not_https": N_("Must be an HTTPS link starting with https://."),
    "invalid_url": N_("Must be a complete link such as https://example.com/page."),
    "invalid_appid": N_("Must be a mini program AppID such as wx1234567890abcdef."),
    "invalid_datetime": N_(
        "Must be a date and time with its UTC offset, such as 2015-05-20T13:29:35+08:00."
    ),
    "link_text_without_url": N_("Give the link as well, or remove the link text."),
    "url_without_link_text": N_("Give the link text as well, or remove the link."),
    "one_jump_only": N_("Use either a link or a mini program, not both."),
    "reply_over_warn_length": N_(
        "Over %(limit)s characters: some WeChat Pay clients still enforce %(limit)s, "
        "so this reply may be refused."
    ),
}
_FALLBACK = N_("This value is not valid.")


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
    from django.conf import settings

    if not settings.configured:
        return text
    from django.utils.translation import gettext

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
