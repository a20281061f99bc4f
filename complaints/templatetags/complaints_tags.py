"""Small display helpers for complaint templates (no queries, no business rules)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import labels
from complaints.services.deadlines import immediate_first_reply
from complaints.views.row_html import row_html

register = template.Library()
# WeChat's codes by their names (unknown codes shown as received).
register.filter("state_label", labels.state_label)
register.filter("operate_type_label", labels.operate_type_label)
register.filter("sla_label", labels.sla_label)
register.filter("user_tag_label", labels.user_tag_label)
register.filter("operator_label", labels.operator_label)
register.filter("operator_known", labels.operator_known)
register.filter("problem_type_label", labels.problem_type_label)
register.filter("refund_action_label", labels.refund_action_label)
register.filter("service_order_state_label", labels.service_order_state_label)


@register.filter
def first_reply_target(complaint) -> str:
    """The first-reply target this complaint is held to: 24 h, or the console's shorter one
    for immediate-service complaints."""
    if not complaint.need_immediate_service:
        return _("%(h)d h") % {"h": 24}
    minutes = int(immediate_first_reply().total_seconds() // 60)
    whole_hours = minutes >= 120 and not minutes % 60
    span = _("%(h)d h") % {"h": minutes // 60} if whole_hours else _("%(m)d min") % {"m": minutes}
    return _("%(span)s, immediate service") % {"span": span}


def _span(seconds: int) -> str:
    minutes = seconds // 60
    if minutes < 60:
        return _("%(m)d min") % {"m": max(minutes, 1)}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(d)d days %(h)d h") % {"d": hours // 24, "h": hours % 24}


@register.filter
def countdown(due: datetime | None) -> str:
    """'in 3 h 12 min' or 'overdue by 20 min', relative to now."""
    if due is None:
        return ""
    delta = int((due - timezone.now()).total_seconds())
    if delta >= 0:
        return _("in %(span)s") % {"span": _span(delta)}
    return _("overdue by %(span)s") % {"span": _span(-delta)}


@register.filter
def active_deadline(complaint) -> datetime | None:
    """The deadline that matters now: first reply until sent, then completion."""
    if complaint.completed_at:
        return None
    return complaint.complete_due_at if complaint.first_replied_at else complaint.first_reply_due_at


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def fen(amount: int | None) -> str:
    """Money is integer fen; shown as yuan with two decimals."""
    if amount is None:
        return ""
    return f"¥{amount // 100:,}.{amount % 100:02d}"


@register.filter
def sla_badge(status: str) -> str:
    return {"overdue": "urgent", "at_risk": "warn", "met": "ok"}.get(status, "")


@register.simple_tag(takes_context=True)
def queue_row(context, row) -> str:
    """One queue row (complaints/views/row_html.py), with the page's CSRF token and label."""
    return row_html(row, str(context.get("csrf_token", "")), context.get("claim_label", ""))
