"""A refund's step in the complaint's timeline, and the live event that makes pages re-read it."""

from __future__ import annotations

from typing import Any

from complaints.models import TimelineEvent
from console import events
from refunds.models import Refund


def refund_event(refund: Refund, kind: str, actor: Any = None, **data: Any) -> TimelineEvent:
    return TimelineEvent.objects.create(
        complaint_id=refund.complaint_id,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        data={
            "refund_id": refund.pk,
            "out_refund_no": refund.out_refund_no,
            "amount": refund.amount,
            **data,
        },
    )


def refund_announce(refund: Refund) -> None:
    """Tell open pages (the complaint's refund panel and timeline, the approval queue)."""
    events.announce(
        events.REFUND_CHANGED,
        merchant_id=refund.merchant_id,
        complaint_id=refund.complaint_id,
        refund_id=refund.pk,
    )
