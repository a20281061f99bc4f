"""Typed results of the order and refund endpoints (refund spec §3.2, §4.2, §6.3).

Lenient like `wechatpay.models`: unknown fields are kept, enum-like fields are plain `str`.
Amounts are integers in fen; times are the RFC 3339 strings WeChat sent (`*_at` properties
give aware datetimes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field

from wechatpay.models import _Model

# trade_state values (§3.3); only SUCCESS and REFUND orders were paid.
TRADE_SUCCESS, TRADE_REFUND, TRADE_NOTPAY, TRADE_CLOSED = "SUCCESS", "REFUND", "NOTPAY", "CLOSED"
PAID_TRADE_STATES = frozenset({TRADE_SUCCESS, TRADE_REFUND})

# Refund status values (§4.2). SUCCESS and CLOSED are final; ABNORMAL waits for a person
# (apply-abnormal-refund or the merchant platform), PROCESSING for WeChat.
REFUND_PROCESSING, REFUND_SUCCESS = "PROCESSING", "SUCCESS"
REFUND_CLOSED, REFUND_ABNORMAL = "CLOSED", "ABNORMAL"
FINAL_REFUND_STATUSES = frozenset({REFUND_SUCCESS, REFUND_CLOSED})
REFUND_EVENT_TYPES = frozenset({"REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"})


def parse_time(value: str | None) -> datetime | None:
    """An RFC 3339 time with offset as an aware datetime; None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


class OrderAmount(_Model):
    total: int = 0  # order amount, fen
    payer_total: int | None = None  # what the payer paid after coupons, fen
    currency: str = "CNY"
    payer_currency: str = ""


class Order(_Model):
    """An order as WeChat Pay knows it (§3.2): the direct shape (`mchid`, `appid`, `payer.openid`)
    or the provider shape (`sp_mchid`/`sub_mchid`, `payer.sp_openid`/`sub_openid`)."""

    out_trade_no: str
    trade_state: str
    trade_state_desc: str = ""
    transaction_id: str = ""  # absent until paid
    mchid: str = ""
    appid: str = ""
    sp_mchid: str = ""
    sub_mchid: str = ""
    sp_appid: str = ""
    sub_appid: str = ""
    trade_type: str = ""
    bank_type: str = ""
    attach: str = ""
    success_time: str = ""  # only when paid
    payer: dict[str, str] = Field(default_factory=dict)
    amount: OrderAmount | None = None  # only when paid
    promotion_detail: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def total(self) -> int:
        """The order amount in fen (0 when WeChat sent no amount: unpaid orders)."""
        return self.amount.total if self.amount else 0

    @property
    def payer_total(self) -> int:
        if not self.amount:
            return 0
        return self.amount.total if self.amount.payer_total is None else self.amount.payer_total

    @property
    def currency(self) -> str:
        return self.amount.currency if self.amount else "CNY"

    @property
    def paid(self) -> bool:
        return self.trade_state in PAID_TRADE_STATES

    @property
    def success_at(self) -> datetime | None:
        return parse_time(self.success_time)


class RefundAmount(_Model):
    """`amount` of a Refund (§4.2); `from` stays in `model_extra` (a Python keyword)."""

    total: int  # the order amount
    refund: int  # this refund
    payer_total: int = 0
    payer_refund: int = 0  # cash back to the payer, coupons excluded
    settlement_refund: int = 0
    settlement_total: int = 0
    discount_refund: int = 0
    currency: str = "CNY"
    refund_fee: int | None = None


class Refund(_Model):
    """A refund as answered by create, query and apply-abnormal-refund (§4.2)."""

    refund_id: str
    out_refund_no: str
    status: str
    amount: RefundAmount
    transaction_id: str = ""
    out_trade_no: str = ""
    channel: str = ""
    user_received_account: str = ""
    success_time: str = ""  # only when SUCCESS
    create_time: str = ""
    funds_account: str = ""
    promotion_detail: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def is_final(self) -> bool:
        """SUCCESS or CLOSED: nothing will change any more without a new refund."""
        return self.status in FINAL_REFUND_STATUSES

    @property
    def success_at(self) -> datetime | None:
        return parse_time(self.success_time)

    @property
    def created_at(self) -> datetime | None:
        return parse_time(self.create_time)


class RefundNotificationAmount(_Model):
    total: int
    refund: int
    payer_total: int = 0
    payer_refund: int = 0


class RefundResource(_Model):
    """The decrypted `resource` of a REFUND.* notification (§6.3). The state is in
    `refund_status`, not `status` (§6.5)."""

    out_refund_no: str
    refund_id: str
    refund_status: str
    amount: RefundNotificationAmount
    out_trade_no: str = ""
    transaction_id: str = ""
    mchid: str = ""
    sp_mchid: str = ""
    sub_mchid: str = ""
    success_time: str = ""
    user_received_account: str = ""


@dataclass(frozen=True)
class RefundNotification:
    """A verified, decrypted REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED notification.
    `refund_status` is normalised (the old wiki's `CLOSE` reads `CLOSED`)."""

    id: str
    create_time: str
    event_type: str
    resource_type: str
    summary: str
    refund_id: str
    out_refund_no: str
    transaction_id: str
    out_trade_no: str
    refund_status: str
    success_time: str
    user_received_account: str
    amount: RefundNotificationAmount
    mchid: str  # the direct merchant, or the provider's sp_mchid
    sub_mchid: str  # provider mode only
    raw_resource: dict[str, Any]

    @property
    def success_at(self) -> datetime | None:
        return parse_time(self.success_time)
