"""The navigation shown in the base layout depends on the user's permissions."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from console.roles import perm

# (url name, label, permission needed — or a tuple: any of them)
NAVIGATION = [
    ("complaints:queue", _("Complaints"), "work_complaints"),
    ("messaging:templates", _("Reply templates"), "manage_templates"),
    ("messaging:history", _("Reply history"), "review_replies"),
    ("messaging:kpis", _("KPIs"), "review_replies"),
    ("refunds:approvals", _("Refund approvals"), "review_replies"),
    ("refunds:history", _("Refund history"), ("review_replies", "manage_merchants")),
    ("automation:rules", _("Automation"), "manage_templates"),
    ("automation:supervisor", _("Supervisor alerts"), "review_replies"),
    ("merchants:list", _("Merchants"), "manage_merchants"),
    ("console:audit", _("Audit log"), "view_audit"),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for name, label, codename in NAVIGATION:
        codenames = codename if isinstance(codename, tuple) else (codename,)
        if not any(user.has_perm(perm(code)) for code in codenames):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # the app that serves it is not wired yet
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    return {"nav_items": items}
