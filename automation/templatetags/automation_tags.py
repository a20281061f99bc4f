from django import template
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

# The lead-ins automation.services.alerts writes (kept in step with it; tested).
ALERT_TEXTS = (
    (gettext_noop("Needs immediate service: %(problem)s"), "problem"),
    (gettext_noop("New user message: %(text)s"), "text"),
)

register = template.Library()


def _prefixes() -> tuple[str, ...]:
    """The fixed words an alert's stored text starts with, in every UI language (the worker
    writes them in its own language; the kind's label already says them in the reader's)."""
    found = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for msgid, key in ALERT_TEXTS:
                found.append((gettext(msgid) % {key: ""}).strip())
    return tuple(sorted(set(found), key=len, reverse=True))


@register.filter
def alert_body(alert) -> str:
    """What the alert is about, without its stored lead-in ("需即时服务：…" → "…"): the part
    that came from the user, shown as their data."""
    text = alert.text or ""
    for prefix in _prefixes():
        if prefix and text.startswith(prefix):
            return text[len(prefix) :].strip()
    return text
