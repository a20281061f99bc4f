"""The refunds parts of the complaint, reply-history and KPIs pages (console/panels.py)."""

from __future__ import annotations

from console import events
from console.panels import Panel, panel_register


def register_panels() -> None:
    panel_register(
        Panel(
            slot="complaint_detail",
            url_name="refunds:panel",
            testid="refund-panel",
            permissions=("work_complaints",),
            # No live kinds: the panel's own status part re-reads itself (the form must not).
            kwargs=lambda context: {"pk": context["complaint"].pk},
        )
    )
    panel_register(
        Panel(
            slot="messaging_history",
            url_name="refunds:history_link",
            testid="refund-history-link",
            permissions=("review_replies", "manage_merchants"),
        )
    )
    panel_register(
        Panel(
            slot="messaging_kpis",
            url_name="refunds:kpis_panel",
            testid="refund-kpis",
            permissions=("review_replies", "manage_merchants"),
            live=events.REFUND_CHANGED,
            keep_query=True,
        )
    )
