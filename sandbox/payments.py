"""Orders and refunds behind the complaints (refund spec §3, §4, §10): tables, reads, shapes.

Every complaint's orders exist: they are written with the complaint (and backfilled on start for
complaints filed before this table existed), paid, with the amount of `complaint_order_info`.
The refundable balance is the order total minus every refund not CLOSED (§10.2). Low level on
purpose: it imports nothing of the sandbox but seed, so anything may use it.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import time
from typing import Any

from sandbox import seed

CHINA = dt.timezone(dt.timedelta(hours=8))
SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    transaction_id TEXT PRIMARY KEY, out_trade_no TEXT NOT NULL, mchid TEXT NOT NULL,
    total INTEGER NOT NULL, trade_state TEXT NOT NULL, success_time TEXT NOT NULL,
    data TEXT NOT NULL, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS orders_by_out_trade_no ON orders (mchid, out_trade_no);
CREATE TABLE IF NOT EXISTS order_complaints (
    transaction_id TEXT NOT NULL, complaint_id TEXT NOT NULL,
    PRIMARY KEY (transaction_id, complaint_id));
CREATE INDEX IF NOT EXISTS order_complaints_by_complaint ON order_complaints (complaint_id);
CREATE TABLE IF NOT EXISTS refunds (
    refund_id TEXT PRIMARY KEY, mchid TEXT NOT NULL, sub_mchid TEXT NOT NULL,
    out_refund_no TEXT NOT NULL, transaction_id TEXT NOT NULL, status TEXT NOT NULL,
    refund INTEGER NOT NULL, total INTEGER NOT NULL, outcome TEXT NOT NULL, due_at REAL NOT NULL,
    created REAL NOT NULL, create_time TEXT NOT NULL, success_time TEXT NOT NULL,
    notify_url TEXT, reason TEXT, funds_account TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS refunds_by_number ON refunds (mchid, sub_mchid, out_refund_no);
CREATE INDEX IF NOT EXISTS refunds_due ON refunds (status, due_at);
CREATE INDEX IF NOT EXISTS refunds_by_order ON refunds (transaction_id);
CREATE TABLE IF NOT EXISTS refund_notify_urls (mchid TEXT PRIMARY KEY, url TEXT NOT NULL);
"""
PAID = ("SUCCESS", "REFUND")
RECEIVED_ACCOUNT = "支付用户零钱"
DEFAULT_AMOUNT = 100  # fen, for a complaint_order_info override without an amount


def now_text(at: float | None = None) -> str:
    moment = dt.datetime.fromtimestamp(time.time() if at is None else at, CHINA)
    return moment.isoformat(timespec="seconds")


def install(db: sqlite3.Connection) -> None:
    """Create the tables (idempotent) and give every complaint filed before them its orders."""
    for statement in SCHEMA.split(";"):  # inside the caller's transaction: no executescript
        if statement.strip():
            db.execute(statement)
    rows = db.execute(
        "SELECT data FROM complaints WHERE complaint_id NOT IN"
        " (SELECT complaint_id FROM order_complaints)"
    ).fetchall()
    for row in rows:
        orders_for_complaint(db, json.loads(row["data"]))


def orders_for_complaint(db: sqlite3.Connection, complaint: dict[str, Any]) -> None:
    """Insert the paid order behind each complaint_order_info entry (an existing order is kept)."""
    complaint_id = complaint["complaint_id"]
    for info in complaint.get("complaint_order_info") or []:
        if not isinstance(info, dict):
            continue
        transaction_id = str(info.get("transaction_id") or "")
        if not transaction_id:
            continue
        amount = info.get("amount")
        total = amount if isinstance(amount, int) and amount > 0 else DEFAULT_AMOUNT
        paid_at = _paid_at(complaint.get("complaint_time"))
        data = {
            "appid": "wx" + secrets.token_hex(8),
            "openid": complaint.get("payer_openid") or seed.openid(),
            "trade_type": "JSAPI",
            "bank_type": "OTHERS",
        }
        db.execute(
            "INSERT OR IGNORE INTO orders VALUES (?, ?, ?, ?, 'SUCCESS', ?, ?, ?)",
            (
                transaction_id,
                str(info.get("out_trade_no") or "DD" + transaction_id[-18:]),
                complaint["complainted_mchid"],
                total,
                now_text(paid_at),
                json.dumps(data),
                time.time(),
            ),
        )
        owner = db.execute(
            "SELECT mchid FROM orders WHERE transaction_id = ?", (transaction_id,)
        ).fetchone()
        if owner["mchid"] != complaint["complainted_mchid"]:
            continue  # an override reused another merchant's transaction id: not this order
        db.execute(
            "INSERT OR IGNORE INTO order_complaints VALUES (?, ?)", (transaction_id, complaint_id)
        )


def _paid_at(complaint_time: Any) -> float:
    """Paid two hours before the complaint was filed."""
    try:
        filed = dt.datetime.fromisoformat(str(complaint_time)).timestamp()
    except ValueError:
        filed = time.time()
    return filed - 2 * 3600


# --- reads -------------------------------------------------------------------------------------


def order_by_transaction_id(db: sqlite3.Connection, transaction_id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT * FROM orders WHERE transaction_id = ?", (transaction_id,)).fetchone()
    return dict(row) if row else None


def order_by_out_trade_no(
    db: sqlite3.Connection, mchid: str, out_trade_no: str
) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM orders WHERE mchid = ? AND out_trade_no = ? ORDER BY created LIMIT 1",
        (mchid, out_trade_no),
    ).fetchone()
    return dict(row) if row else None


def refunds_of_order(db: sqlite3.Connection, transaction_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT * FROM refunds WHERE transaction_id = ? ORDER BY created, rowid", (transaction_id,)
    ).fetchall()
    return [dict(row) for row in rows]


def refunded(db: sqlite3.Connection, transaction_id: str) -> int:
    """Fen taken from the order by refunds that are not CLOSED (ABNORMAL keeps its amount)."""
    row = db.execute(
        "SELECT COALESCE(SUM(refund), 0) AS n FROM refunds"
        " WHERE transaction_id = ? AND status != 'CLOSED'",
        (transaction_id,),
    ).fetchone()
    return int(row["n"])


def refund_by_number(
    db: sqlite3.Connection, mchid: str, sub_mchid: str, out_refund_no: str
) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM refunds WHERE mchid = ? AND sub_mchid = ? AND out_refund_no = ?",
        (mchid, sub_mchid, out_refund_no),
    ).fetchone()
    return dict(row) if row else None


def refund_by_id(db: sqlite3.Connection, refund_id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT * FROM refunds WHERE refund_id = ?", (refund_id,)).fetchone()
    return dict(row) if row else None


def complaints_of_order(db: sqlite3.Connection, transaction_id: str) -> list[str]:
    rows = db.execute(
        "SELECT complaint_id FROM order_complaints WHERE transaction_id = ? ORDER BY complaint_id",
        (transaction_id,),
    ).fetchall()
    return [row["complaint_id"] for row in rows]


def orders_of_complaint(db: sqlite3.Connection, complaint_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT o.* FROM orders o JOIN order_complaints c USING (transaction_id)"
        " WHERE c.complaint_id = ? ORDER BY o.created",
        (complaint_id,),
    ).fetchall()
    return [dict(row) for row in rows]


def new_refund_id() -> str:
    """29 digits starting with 50, like real refund ids."""
    return "50" + dt.datetime.now(CHINA).strftime("%Y%m%d") + f"{secrets.randbelow(10**19):019d}"


# --- shapes on the wire --------------------------------------------------------------------------


def present_order(order: dict[str, Any], *, sp_mchid: str | None = None) -> dict[str, Any]:
    """The Transaction of §3.2: the direct shape, or the provider shape when sp_mchid is given."""
    data = json.loads(order["data"])
    shown: dict[str, Any] = {
        "amount": {
            "currency": "CNY",
            "payer_currency": "CNY",
            "payer_total": order["total"],
            "total": order["total"],
        },
        "attach": "",
        "bank_type": data["bank_type"],
        "out_trade_no": order["out_trade_no"],
        "promotion_detail": [],
        "success_time": order["success_time"],
        "trade_state": order["trade_state"],
        "trade_state_desc": "转入退款" if order["trade_state"] == "REFUND" else "支付成功",
        "trade_type": data["trade_type"],
        "transaction_id": order["transaction_id"],
    }
    if sp_mchid is None:
        shown.update(appid=data["appid"], mchid=order["mchid"], payer={"openid": data["openid"]})
    else:
        shown.update(
            sp_appid=data["appid"],
            sp_mchid=sp_mchid,
            sub_mchid=order["mchid"],
            payer={"sp_openid": data["openid"]},
        )
    return shown


def present_refund(refund: dict[str, Any], order: dict[str, Any]) -> dict[str, Any]:
    """The Refund object of §4.2 (no promotions: payer amounts equal the listed amounts)."""
    shown: dict[str, Any] = {
        "refund_id": refund["refund_id"],
        "out_refund_no": refund["out_refund_no"],
        "transaction_id": refund["transaction_id"],
        "out_trade_no": order["out_trade_no"],
        "channel": "ORIGINAL",
        "user_received_account": RECEIVED_ACCOUNT,
        "create_time": refund["create_time"],
        "status": refund["status"],
        "funds_account": refund["funds_account"],
        "amount": {
            "total": refund["total"],
            "refund": refund["refund"],
            "from": [],
            "payer_total": refund["total"],
            "payer_refund": refund["refund"],
            "settlement_refund": refund["refund"],
            "settlement_total": refund["total"],
            "discount_refund": 0,
            "currency": "CNY",
            "refund_fee": 0,
        },
        "promotion_detail": [],
    }
    if refund["status"] == "SUCCESS":
        shown["success_time"] = refund["success_time"]
    return shown


def describe_order(db: sqlite3.Connection, order: dict[str, Any]) -> dict[str, Any]:
    """For the control API and the pages: the order, its balance and its refunds."""
    taken = refunded(db, order["transaction_id"])
    return {
        "transaction_id": order["transaction_id"],
        "out_trade_no": order["out_trade_no"],
        "mchid": order["mchid"],
        "trade_state": order["trade_state"],
        "total": order["total"],
        "refunded": taken,
        "refundable": order["total"] - taken,
        "success_time": order["success_time"],
        "complaint_ids": complaints_of_order(db, order["transaction_id"]),
        "refunds": [describe_refund(r) for r in refunds_of_order(db, order["transaction_id"])],
    }


def describe_refund(refund: dict[str, Any]) -> dict[str, Any]:
    keys = ("refund_id", "mchid", "sub_mchid", "out_refund_no", "transaction_id", "status",
            "refund", "total", "outcome", "create_time", "success_time", "notify_url", "reason",
            "funds_account")  # fmt: skip
    return {key: refund[key] for key in keys}
