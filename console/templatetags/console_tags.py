"""Display helpers for the console's own pages (the audit log, roles)."""

import time

from django import template

from console import audit_labels
from console.people import person_name
from console.roles import ROLE_LABELS

register = template.Library()
register.filter("audit_action_label", audit_labels.action_label)
register.filter("audit_target_label", audit_labels.target_label)
register.filter("audit_changes", audit_labels.event_change_rows)


@register.filter
def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


register.filter("person", person_name)


@register.simple_tag
def live_since() -> int:
    """The page's render time in milliseconds: its live stream replays what came after it."""
    return int(time.time() * 1000)


@register.inclusion_tag("console/_panels.html", takes_context=True)
def panels(context, slot: str) -> dict:
    """The panels apps above registered for this page's `slot` (console/panels.py)."""
    from console.panels import panels_for

    complaint = context.get("complaint")
    return {
        "panels": panels_for(slot, context.flatten()),
        "complaint_pk": getattr(complaint, "pk", ""),
    }
