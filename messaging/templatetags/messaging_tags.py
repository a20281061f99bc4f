"""Template tags of the message renderer and the composer (preview, timeline, history, editors).

The block kinds come from the registry (:mod:`messaging.schema.blocks`): the toolbar, the editor
cards and the preview of each block are the kind's own templates.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from messaging.schema import (
    MessageLimits,
    limits_from_settings,
    normal_message_json_schema,
    plain_reply_json_schema,
)
from messaging.schema.blocks import BLOCKS, BlockKind, block_kind
from messaging.schema.rules import PLACEHOLDER

register = template.Library()


@register.simple_tag
def block_kinds() -> tuple[BlockKind, ...]:
    """Every registered block kind, in toolbar order."""
    return BLOCKS


@register.filter
def shown_kind(block: Any) -> BlockKind | None:
    """The kind of a stored block when the console can show it (known type, its sub-object
    present), else None: the renderer then says it cannot show the block."""
    if not isinstance(block, dict):
        return None
    kind = block_kind(block.get("type"))
    return kind if kind is not None and block.get(kind.key) else None


@register.filter
def block_content(block: dict[str, Any], kind: BlockKind) -> Any:
    """The block's own sub-object (``block|block_content:kind``), the preview's ``content``."""
    return block.get(kind.key)


@register.simple_tag
def message_schema(mode: str) -> str:
    """The JSON Schema of what the composer edits, with the limits in force, for the browser
    (it sets each field's maximum length from it). ``mode`` is the composer's: "plain" for the
    plain reply, "message" or "template" for a NormalMessage."""
    return _schema_json(mode == "plain", limits_from_settings())


@functools.lru_cache(maxsize=8)
def _schema_json(plain: bool, limits: MessageLimits) -> str:
    # Generating the NormalMessage schema takes ~15 ms; it changes only with the limits.
    schema = plain_reply_json_schema(limits) if plain else normal_message_json_schema(limits)
    return json.dumps(schema, ensure_ascii=False, separators=(",", ":"))


@register.filter
def gaps(value: object) -> SafeString:
    """The text, escaped, with every unfilled template variable marked as a visible gap."""
    text = "" if value is None else str(value)
    pieces: list[str] = []
    start = 0
    for match in PLACEHOLDER.finditer(text):
        pieces.append(escape(text[start : match.start()]))
        pieces.append(
            format_html(
                '<mark class="nm-gap" title="{}">{}</mark>',
                _("No value for this complaint: replace it before sending."),
                match.group(0),
            )
        )
        start = match.end()
    pieces.append(escape(text[start:]))
    return mark_safe("".join(pieces))  # noqa: S308 (every piece is escaped above)


@register.filter
def wechat_time(value: object) -> str:
    """An RFC 3339 time as sent to WeChat ("2030-01-01T10:00:00+08:00") in the console's zone
    ("2030-01-01 10:00"); anything unreadable as given."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_naive(moment):
        return str(value)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
