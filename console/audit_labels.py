"""What the audit log's action codes and target types are called on screen. The codes stay in
the data (and in the row's title) so exports and searches keep working; an unknown code is shown
as it is."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from console.roles import ROLE_LABELS

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
    "refund.approval_requested": _("Refund waits for approval"),
    "refund.approved": _("Refund approved"),
    "refund.declined": _("Refund declined"),
    "refund.limits_changed": _("Refund limits changed"),
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
    "refund.": _("Refunds"),
}
TARGETS: dict[str, Promise] = {
    "user": _("User"),
    "merchant": _("Merchant"),
    "credential_set": _("Credential set"),
    "complaint": _("Complaint"),
    "auto_rule": _("Automatic reply rule"),
    "reply_template": _("Reply template"),
    "refund": _("Refund"),
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


# --- the details column: each recorded change as a label and a readable value ----------------

CHANGE_KEYS: dict[str, Promise] = {
    "username": _("Username"),
    "name": _("Name"),
    "merchant": _("Merchant"),
    "before": _("Before"),
    "after": _("After"),
    "ok": _("Succeeded"),
    "code": _("Code"),
    "request_id": _("Request-ID"),
    "url": _("URL"),
    "template_id": _("Reply template"),
    "blocks": _("Blocks"),
    "credential_set_id": _("Credential set"),
    "certificate_serial": _("Certificate serial"),
    "private_key_fingerprint": _("Key fingerprint (SHA-256)"),
    "apiv3_last4": _("APIv3 key, last four"),
    "wechatpay_public_key_id": _("WeChat Pay public key ID"),
    "platform_certificate_serial": _("Platform certificates"),
    "mchid": _("Merchant ID"),
    "kind": _("Kind"),
    "api_base_url": _("API host"),
    "backup_api_base_url": _("Backup API host"),
    "active": _("Active"),
    "sub_mchids": _("Sub-merchant IDs"),
    "roles": _("Roles"),
    "complaint_id": _("Complaint ID"),
    "amount": _("Amount"),
    "requested_by": _("Requested by"),
    "reason": _("Reason"),
    "per_refund": _("Per refund"),
    "per_day": _("Per agent and day"),
}
ROLE_LISTS = frozenset({"before", "after", "roles"})
# Money is kept in integer fen and shown, as everywhere else, in yuan with two decimals.
FEN_KEYS = frozenset({"amount", "per_refund", "per_day"})
# Actions that record each changed field as [before, after].
PAIR_ACTIONS = frozenset({"merchant.updated", "refund.limits_changed"})


def change_rows(changes: Any, action: str = "") -> list[tuple[str, str]]:
    """`{"ok": True, "before": ["admin"]}` -> [("Succeeded", "Yes"), ("Before", "Admin")]."""
    if not isinstance(changes, dict):
        return [("", readable(changes))] if changes not in (None, "", {}) else []
    rows = []
    # jsonb keeps keys in its own order ("after" before "before"): show them in CHANGE_KEYS'.
    order = {key: index for index, key in enumerate(CHANGE_KEYS)}
    for key, value in sorted(changes.items(), key=lambda item: order.get(item[0], len(order))):
        label = str(CHANGE_KEYS.get(key, key))
        if action in PAIR_ACTIONS and isinstance(value, list) and len(value) == 2:
            rows.append((label, f"{readable(value[0], key)} → {readable(value[1], key)}"))
        else:
            rows.append((label, readable(value, key)))
    return rows


def event_change_rows(event: Any) -> list[tuple[str, str]]:
    return change_rows(event.changes, event.action)


def readable(value: Any, key: str = "") -> str:
    """A JSON value as a person reads it: Yes/No, a dash for nothing, lists joined, role and
    merchant-kind codes by their labels."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if key in FEN_KEYS and isinstance(value, int):
        return f"¥{value / 100:,.2f}"
    if isinstance(value, list):
        if key in ROLE_LISTS:
            return ", ".join(str(ROLE_LABELS.get(v, v)) for v in value)
        return ", ".join(readable(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{CHANGE_KEYS.get(k, k)}: {readable(v, k)}" for k, v in value.items())
    if key in _VALUE_LABELS:
        return str(_VALUE_LABELS[key].get(value, value))
    return str(value)


# Codes an app above console names (merchants: a merchant's "kind"); registered from its ready().
_VALUE_LABELS: dict[str, dict[Any, Any]] = {}


def value_labels_register(key: str, labels: dict[Any, Any]) -> None:
    """Show the audit log's values under `key` by these labels (called from AppConfig.ready())."""
    _VALUE_LABELS[key] = labels
