"""Display helpers for the console's own pages (the audit log)."""

from django import template

from console import audit_labels

register = template.Library()
register.filter("audit_action_label", audit_labels.action_label)
register.filter("audit_target_label", audit_labels.target_label)
