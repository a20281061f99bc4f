"""Refund state changes. Import from here: `from refunds.services import refund_request`."""

from refunds.services.delivery import refund_deliver
from refunds.services.limits import LimitsError, limits_for, limits_set, needs_approval
from refunds.services.notifications import refund_notification_parse, refund_notification_record
from refunds.services.queries import order_fetch, order_refresh_request, refund_query
from refunds.services.requests import (
    Balance,
    RefundError,
    StaleRefundError,
    order_balance,
    refund_approve,
    refund_decline,
    refund_request,
)
from refunds.services.status import refund_failure_explanation
from refunds.services.sweeper import refund_sweep

__all__ = [
    "Balance",
    "LimitsError",
    "RefundError",
    "StaleRefundError",
    "limits_for",
    "limits_set",
    "needs_approval",
    "order_balance",
    "order_fetch",
    "order_refresh_request",
    "refund_approve",
    "refund_decline",
    "refund_deliver",
    "refund_failure_explanation",
    "refund_notification_parse",
    "refund_notification_record",
    "refund_query",
    "refund_request",
    "refund_sweep",
]
