"""Control API for orders and refunds (unsigned JSON under /_sandbox/, like sandbox/control.py).

- `GET /_sandbox/orders?mchid=&complaint_id=&transaction_id=`: orders with balance and refunds;
- `GET /_sandbox/refunds?mchid=&transaction_id=&out_refund_no=`: refunds as stored;
- `POST /_sandbox/refunds/<refund_id>/outcome` `{"status": SUCCESS|ABNORMAL|CLOSED}`: a
  PROCESSING refund ends so now; an ABNORMAL one can still be settled (SUCCESS/CLOSED);
- `PUT /_sandbox/merchants/<mchid>/refund-notify-url` `{"url": …|null}`: the URL configured in
  the merchant platform (商户平台-退款配置), used when a refund was created without notify_url.
The refund delay and spacing are settings (`POST /_sandbox/settings`, `refund_delay`, …).
"""

from __future__ import annotations

import re
from typing import Any

from sandbox import payments, refund_events
from sandbox.validation import notify_url_body
from sandbox.web import ApiError, Request, Response

FILTERS = {
    "orders": ("mchid", "transaction_id"),
    "refunds": ("mchid", "transaction_id", "out_refund_no"),
}


def _where(query: dict[str, str], names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    wanted = [(name, query[name]) for name in names if query.get(name)]
    clause = " AND ".join(f"{name} = ?" for name, _ in wanted) or "1 = 1"
    return clause, tuple(value for _, value in wanted)


def orders(app: Any, request: Request, _: re.Match[str]) -> Response:
    with app.store.transaction() as db:
        complaint_id = request.query.get("complaint_id")
        if complaint_id:
            found = payments.orders_of_complaint(db, complaint_id)
        else:
            clause, params = _where(request.query, FILTERS["orders"])
            rows = db.execute(f"SELECT * FROM orders WHERE {clause} ORDER BY created", params)  # noqa: S608
            found = [dict(row) for row in rows.fetchall()]
        data = [payments.describe_order(db, order) for order in found]
    return Response.json(200, {"data": data})


def refunds(app: Any, request: Request, _: re.Match[str]) -> Response:
    clause, params = _where(request.query, FILTERS["refunds"])
    rows = app.store.query(
        f"SELECT * FROM refunds WHERE {clause} ORDER BY created, rowid",  # noqa: S608
        params,
    )
    return Response.json(200, {"data": [payments.describe_refund(dict(r)) for r in rows]})


def outcome(app: Any, request: Request, match: re.Match[str]) -> Response:
    body = request.json()
    status = body.get("status") if isinstance(body, dict) else None
    if status not in refund_events.OUTCOMES:
        raise ApiError(400, "PARAM_ERROR", "status must be SUCCESS, ABNORMAL or CLOSED")
    try:
        refund = refund_events.force_outcome(app, match.group(1), status)
    except ValueError as exc:
        raise ApiError(400, "INVALID_REQUEST", str(exc)) from exc
    if refund is None:
        raise ApiError(404, "NOT_FOUND", f"no refund {match.group(1)}")
    app.refunds.poke()
    app.notifier.poke()
    return Response.json(200, {"refund_id": refund["refund_id"], "outcome": status})


def refund_notify_url(app: Any, request: Request, match: re.Match[str]) -> Response:
    mchid = match.group(1)
    if app.store.merchant(mchid) is None:
        raise ApiError(404, "NOT_FOUND", f"no merchant {mchid}")
    body = request.json()
    with app.store.transaction() as db:
        if isinstance(body, dict) and body.get("url") is None:
            db.execute("DELETE FROM refund_notify_urls WHERE mchid = ?", (mchid,))
            url = None
        else:
            url = notify_url_body(body)
            db.execute("INSERT OR REPLACE INTO refund_notify_urls VALUES (?, ?)", (mchid, url))
    return Response.json(200, {"mchid": mchid, "refund_notify_url": url})


ROUTES = [
    ("GET", r"/_sandbox/orders", orders),
    ("GET", r"/_sandbox/refunds", refunds),
    ("POST", r"/_sandbox/refunds/(\d+)/outcome", outcome),
    ("PUT", r"/_sandbox/merchants/(\d+)/refund-notify-url", refund_notify_url),
]
