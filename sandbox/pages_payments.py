"""The conversation page's order card: each order behind the complaint, what was refunded, what
is still refundable, and every refund with its state. Every value is escaped (ids and numbers
come from merchants' requests); no inline style or script (the pages' strict CSP)."""

from __future__ import annotations

from html import escape
from typing import Any

from sandbox import payments

TRADE_STATES = {"SUCCESS": "支付成功", "REFUND": "转入退款"}
REFUND_STATES = {
    "PROCESSING": "退款处理中",
    "SUCCESS": "退款成功",
    "ABNORMAL": "退款异常",
    "CLOSED": "退款关闭",
}


def _t(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _money(fen: Any) -> str:
    return f"¥{fen / 100:.2f}" if isinstance(fen, int) else _t(fen)


def _refund_row(refund: dict[str, Any]) -> str:
    state = REFUND_STATES.get(refund["status"], refund["status"])
    css = "tag" if refund["status"] in ("PROCESSING", "SUCCESS") else "tag warn"
    return (
        f"<tr><td>{_t(refund['out_refund_no'])}<div class=meta>{_t(refund['refund_id'])}</div></td>"
        f'<td>{_money(refund["refund"])}</td><td><span class="{css}">{_t(state)}</span></td>'
        f"<td class=meta>{_t(refund['create_time'])}<br>{_t(refund['success_time'])}</td>"
        f"<td>{_t(refund['reason'] or '')}</td></tr>"
    )


def orders_card(store: Any, complaint_id: str) -> str:
    """HTML for the orders of one complaint ('' when it has none)."""
    with store.transaction() as db:
        described = [
            payments.describe_order(db, order)
            for order in payments.orders_of_complaint(db, complaint_id)
        ]
    parts = []
    for order in described:
        state = TRADE_STATES.get(order["trade_state"], order["trade_state"])
        rows = "".join(_refund_row(refund) for refund in order["refunds"])
        table = (
            "<table><tr><th>退款单号</th><th>金额</th><th>状态</th><th>受理/到账</th>"
            f"<th>原因</th></tr>{rows}</table>"
            if rows
            else '<div class="meta">暂无退款</div>'
        )
        parts.append(
            f'<div class="card"><div class="bold">订单 {_t(order["out_trade_no"])}</div>'
            f'<div class="meta">微信支付订单号 {_t(order["transaction_id"])} · {_t(state)} · '
            f"支付金额 {_money(order['total'])} · 已退 {_money(order['refunded'])} · "
            f"可退 {_money(order['refundable'])}</div>{table}</div>"
        )
    return "".join(parts)
