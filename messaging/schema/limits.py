"""Size and format limits for NormalMessage and plain replies.

Two kinds of limit live here:

- ``WECHAT_*`` constants are published by WeChat Pay (spec §3.4, §3.5, §7.2). They are facts about
  the API, not settings, so they cannot be overridden.
- :class:`MessageLimits` holds the console's own limits where WeChat publishes none (spec §11:
  block counts, text lengths inside blocks, action ids, appid format...). The defaults are chosen to
  keep messages readable on a phone; a deployment may override any of them with
  ``MESSAGE_LIMITS = {"max_blocks": 10, ...}`` in its Django settings.

Console lengths count characters; WeChat's ``string(N)`` fields without a stated unit count UTF-8
bytes, the stricter reading (spec §7.4: "clients: stay under both").
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Published by WeChat Pay (spec §7.2).
WECHAT_CUSTOM_DATA_MAX_BYTES = 4096  # message.custom_data string(4096)
WECHAT_MEDIA_ID_MAX_BYTES = 512  # media_id returned by images/upload, string(512)
# /response response_content: "限制500个字符以内" (the newest page, §3.4). Older pages said 200;
# the console states one rule, this one, in its counter and its validation.
WECHAT_REPLY_CONTENT_MAX_CHARS = 500
WECHAT_REPLY_IMAGES_MAX = 4  # /response response_images
WECHAT_JUMP_URL_MAX_BYTES = 512  # /response jump_url string(512)
WECHAT_JUMP_URL_TEXT_MAX_CHARS = 10  # /response jump_url_text string(10)


@dataclass(frozen=True)
class MessageLimits:
    """The console's own NormalMessage limits (WeChat publishes none of these)."""

    max_blocks: int = 20
    """Blocks in one message (at least one is always required)."""
    text_max_chars: int = 500
    """TEXT block text; matches WeChat's limit for a plain reply."""
    link_text_max_chars: int = 50
    """LINK block text."""
    button_text_max_chars: int = 16
    """BUTTON text and each button of a BUTTON_GROUP."""
    max_buttons_per_group: int = 4
    """Buttons in one BUTTON_GROUP."""
    max_faqs_per_list: int = 10
    """Questions in one FAQ_LIST."""
    faq_title_max_chars: int = 50
    """One FAQ question."""
    faq_id_max_chars: int = 64
    """faq_id, the merchant's own id of a question."""
    action_id_max_chars: int = 64
    """action_id, echoed back to the merchant when the user clicks."""
    action_jump_url_max_bytes: int = 512
    """jump_url of an ACTION_TYPE_JUMP_URL action (same as WeChat's plain-reply jump_url)."""
    message_info_content_max_chars: int = 200
    """Text a SEND_MESSAGE action sends as the user's message."""
    message_info_custom_data_max_bytes: int = 1024
    """custom_data passed through with a SEND_MESSAGE click."""
    mini_program_path_max_chars: int = 512
    """Page path (with query) of a mini program jump."""
    mini_program_text_max_chars: int = 10
    """Page name shown for a mini program jump (as WeChat's jump_url_text)."""
    appid_pattern: str = r"wx[0-9A-Za-z]{16}"
    """Mini program AppID, matched in full: "wx" and 16 letters or digits."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if type(field.default) is int and (type(value) is not int or value < 1):
                raise ValueError(f"MessageLimits.{field.name} must be a positive integer")
        try:
            re.compile(self.appid_pattern)
        except (re.error, TypeError) as exc:
            raise ValueError(
                f"MessageLimits.appid_pattern is not a regular expression: {exc}"
            ) from exc


DEFAULT_LIMITS = MessageLimits()


def limits_from_settings() -> MessageLimits:
    """The limits in force: defaults, overridden by ``settings.MESSAGE_LIMITS`` if configured.

    Read on every call (cheap), so ``override_settings`` in tests takes effect; an unknown name or
    a bad value raises ImproperlyConfigured rather than being silently ignored.
    """
    if not settings.configured:
        return DEFAULT_LIMITS
    overrides = getattr(settings, "MESSAGE_LIMITS", None) or {}
    known = {field.name for field in dataclasses.fields(MessageLimits)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ImproperlyConfigured(
            f"MESSAGE_LIMITS has unknown names {unknown}; known names: {sorted(known)}"
        )
    try:
        return MessageLimits(**overrides)
    except ValueError as exc:
        raise ImproperlyConfigured(f"MESSAGE_LIMITS: {exc}") from exc
