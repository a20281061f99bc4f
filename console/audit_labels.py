"""What the audit log's action codes and target types are called on screen. The codes stay in
the data (and in the row's title) so exports and searches keep working; an unknown code is shown
as it is."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, Promise] = {
    "login.failed": _("Failed login"),
    "login.locked": _("Login locked for every address"),
    "login.unlocked": _("Login unlocked by an admin"),
    "user.roles_changed": _("Roles changed"),
    "user.password_changed": _("Password changed"),
    "user.created": _("User added"),
    "user.password_reset": _("Password reset by an admin"),
    "user.deactivated": _("User deactivated"),
    "user.reactivated": _("User reactivated"),
    "merchant.created": _("Merchant added"),
    "merchant.updated": _("Merchant changed"),
    "merchant.connection_tested": _("Connection tested"),
    "merchant.callback_registered": _("Notification URL registered"),
    "merchant.callback_deleted": _("Notification URL removed"),
    "credential.added": _("Credentials added"),
    "credential.activated": _("Credentials activated"),
    "credential.retired": _("Credentials retired"),
    "assignment.added": _("Merchant assigned"),
    "assignment.removed": _("Merchant unassigned"),
    "complaint.phone_revealed": _("Phone number revealed"),
    "auto_rule.created": _("Automatic reply rule created"),
    "auto_rule.updated": _("Automatic reply rule changed"),
    "auto_rule.enabled": _("Automatic reply rule switched on"),
    "auto_rule.disabled": _("Automatic reply rule switched off"),
    "auto_rule.deleted": _("Automatic reply rule deleted"),
    "reply_template.created": _("Reply template created"),
    "reply_template.updated": _("Reply template changed"),
    "reply_template.deleted": _("Reply template deleted"),
}
# Each family's prefix filters all of its actions at once (the log filters by prefix).
FAMILIES: dict[str, Promise] = {
    "login.": _("Logins"),
    "user.": _("Users"),
    "merchant.": _("Merchants"),
    "credential.": _("Credentials"),
    "assignment.": _("Assignments"),
    "complaint.": _("Complaints"),
    "auto_rule.": _("Automatic reply rules"),
    "reply_template.": _("Reply templates"),
}
TARGETS: dict[str, Promise] = {
    "user": _("User"),
    "merchant": _("Merchant"),
    "credential_set": _("Credential set"),
    "complaint": _("Complaint"),
    "auto_rule": _("Automatic reply rule"),
    "reply_template": _("Reply template"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def target_label(code: str) -> str:
    return str(TARGETS.get(code, code))


def action_choices() -> list:
    """For the filter: per family, 'all of them' then each action (grouped for the select)."""
    groups = []
    for prefix, family in FAMILIES.items():
        members = [(code, label) for code, label in ACTIONS.items() if code.startswith(prefix)]
        groups.append((family, [(prefix, _("All: %(family)s") % {"family": family}), *members]))
    return groups
