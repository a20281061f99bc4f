from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def alerts_poll_seconds() -> int:
    """How often every agent page asks for new alerts (settings.AUTOMATION_ALERT_POLL_SECONDS)."""
    return max(1, int(getattr(settings, "AUTOMATION_ALERT_POLL_SECONDS", 5)))
