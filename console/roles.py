"""The three roles and what each may do. The data migration and the tests read this table."""

from django.utils.translation import gettext_lazy as _

AGENT = "agent"
SUPERVISOR = "supervisor"
ADMIN = "admin"

# codename -> description; all live on console.Permissions.
PERMISSIONS = {
    "work_complaints": _("Work the complaint queue and reply to users"),
    "complete_complaint": _("Mark complaints as processed"),
    "decide_refund": _("Approve or reject refunds"),
    "review_replies": _("Review reply history and KPIs"),
    "reveal_phone": _("Reveal payer phone numbers"),
    "manage_templates": _("Manage reply templates and automation rules"),
    "manage_merchants": _("Manage merchants, credentials and assignments"),
    "view_audit": _("Browse the audit log"),
}

_AGENT_PERMISSIONS = ["work_complaints", "complete_complaint", "decide_refund"]
ROLE_PERMISSIONS = {
    AGENT: _AGENT_PERMISSIONS,
    SUPERVISOR: [
        *_AGENT_PERMISSIONS,
        "review_replies",
        "reveal_phone",
        "manage_templates",
        "view_audit",
    ],
    ADMIN: ["manage_merchants", "view_audit"],
}
ROLE_LABELS = {AGENT: _("Agent"), SUPERVISOR: _("Supervisor"), ADMIN: _("Admin")}


def perm(codename: str) -> str:
    """The full permission name for has_perm()."""
    return f"console.{codename}"


def roles_of(user) -> list[str]:
    return sorted(user.groups.filter(name__in=ROLE_PERMISSIONS).values_list("name", flat=True))
