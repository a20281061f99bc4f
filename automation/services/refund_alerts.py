"""Supervisors' alerts for refunds above an agent's limits (refunds/ hooks): raised when one
waits, cleared for everyone once a supervisor approved or declined it."""

from __future__ import annotations

from typing import Any

from automation.models import Alert
from automation.services.alerts import _create, alerts_set_read, users_with_permission


def _key(refund: Any) -> str:
    return f"refund:{refund.pk}"


def alerts_refund_waiting(*, refund: Any) -> int:
    """Every supervisor of the merchant but the one who asked (four eyes)."""
    supervisors = (
        users_with_permission("review_replies")
        .filter(merchant_assignments__merchant_id=refund.merchant_id)
        .exclude(pk=refund.requested_by_id)
    )
    # The amount only: the kind's label says the rest in each reader's language (the text is
    # stored once, in the language of whoever asked, and shown to every supervisor).
    text = f"¥{refund.amount / 100:,.2f}"
    return _create(
        supervisors,
        kind=Alert.Kind.REFUND_APPROVAL,
        complaint=refund.complaint,
        key=_key(refund),
        text=text,
    )


def alerts_refund_decided(*, refund: Any) -> int:
    return alerts_set_read(Alert.objects.filter(kind=Alert.Kind.REFUND_APPROVAL, key=_key(refund)))
