"""Template filters of the message renderer (composer preview, timeline, history)."""

from __future__ import annotations

from django import template
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
