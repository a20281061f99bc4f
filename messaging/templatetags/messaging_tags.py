"""Template filters of the message renderer (composer preview, timeline, history)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from messaging.schema.rules import PLACEHOLDER

register = template.Library()


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
