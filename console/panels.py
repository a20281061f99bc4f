"""Panels: a page of a lower app shows a part served by an app above it, without importing it.

An app above registers a panel for a slot in its AppConfig.ready() (refunds/ adds the order and
refund panel to the complaint page, a refund summary to the KPIs page). The page renders every
panel of its slot as an element that loads its URL with htmx, re-reads it on the live events it
names (static/js/live.js), and is left out for users without the panel's permission. The panel's
view checks the user and merchant again, like every view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from console.roles import perm


@dataclass(frozen=True)
class Panel:
    slot: str  # e.g. "complaint_detail", "messaging_kpis", "messaging_history"
    url_name: str
    testid: str
    permissions: tuple[str, ...] = ()  # any of these codenames (none: every signed-in user)
    live: str = ""  # live event kinds that make the panel re-read itself
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda context: {})
    keep_query: bool = False  # pass the page's query string on (filters of a KPI page)


_panels: list[Panel] = []


def panel_register(panel: Panel) -> None:
    """Add a panel (once, however often an app's ready() runs)."""
    if all((p.slot, p.url_name) != (panel.slot, panel.url_name) for p in _panels):
        _panels.append(panel)


def panels_for(slot: str, context: dict[str, Any]) -> list[dict[str, str]]:
    """What the page renders for `slot`: each panel the user may see (url, live kinds, test id)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = []
    for panel in _panels:
        if panel.slot != slot:
            continue
        if panel.permissions and not any(user.has_perm(perm(p)) for p in panel.permissions):
            continue
        try:
            url = reverse(panel.url_name, kwargs=panel.kwargs(context))
        except NoReverseMatch:
            continue
        if panel.keep_query and request is not None and request.GET:
            url = f"{url}?{request.GET.urlencode()}"
        shown.append({"url": url, "live": panel.live, "testid": panel.testid})
    return shown
