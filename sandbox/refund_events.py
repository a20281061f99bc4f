"""What happens to a refund after it is accepted (refund spec §6, §9, §10.5-10.8).

A background thread moves each PROCESSING refund to its outcome (SUCCESS unless a fault or the
control API said ABNORMAL or CLOSED) once its delay has passed, queues the REFUND.* notification
(signed and AES-GCM-encrypted like the complaint notifications, delivered by the same notifier
with the same retry schedule) and, when it succeeds, updates the complaints about the order.

Takes the application as a structural `Context`, so it imports nothing that imports it.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import string
import time
import uuid
from typing import Any, Protocol

from sandbox import payments
from sandbox.complaints import history_entry
from sandbox.due_thread import DueThread, seconds_until
from sandbox.store import Store
from wechatpay import crypto

log = logging.getLogger("sandbox.refunds")
SUMMARIES = {"SUCCESS": "退款成功", "ABNORMAL": "退款异常", "CLOSED": "退款关闭"}
OUTCOMES = tuple(SUMMARIES)


class Context(Protocol):
    """The parts of the sandbox application this module uses."""

    store: Store
    settings: Any  # refund_delay, refund_complaint_coupling
    notifier: Any  # enqueue(db, mchid, complaint_id, action_type), enqueue_body(...), poke()


def yuan(fen: int) -> str:
    return f"¥{fen / 100:.2f}"


# --- notifications ---------------------------------------------------------------------------


def _nonce12() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))


def notification_body(
    apiv3_key: str, refund: dict[str, Any], order: dict[str, Any], merchant_kind: str
) -> str:
    """The REFUND.* envelope of §6.2 with the plaintext of §6.3 (direct or provider ids)."""
    status = refund["status"]
    plain: dict[str, Any] = {}
    if merchant_kind == "partner":
        plain.update(sp_mchid=refund["mchid"], sub_mchid=refund["sub_mchid"] or order["mchid"])
    else:
        plain["mchid"] = refund["mchid"]
    plain.update(
        out_trade_no=order["out_trade_no"],
        transaction_id=refund["transaction_id"],
        out_refund_no=refund["out_refund_no"],
        refund_id=refund["refund_id"],
        refund_status=status,
    )
    if status == "SUCCESS":
        plain["success_time"] = refund["success_time"]
    plain["amount"] = {
        "total": refund["total"],
        "refund": refund["refund"],
        "payer_total": refund["total"],
        "payer_refund": refund["refund"],
    }
    plain["user_received_account"] = payments.RECEIVED_ACCOUNT
    nonce = _nonce12()
    ciphertext = crypto.aead_encrypt(
        apiv3_key, nonce, "refund", json.dumps(plain, ensure_ascii=False).encode("utf-8")
    )
    envelope = {
        "id": str(uuid.uuid4()),
        "create_time": payments.now_text(),
        "resource_type": "encrypt-resource",
        "event_type": f"REFUND.{status}",
        "summary": SUMMARIES[status],
        "resource": {
            "original_type": "refund",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": ciphertext,
            "associated_data": "refund",
            "nonce": nonce,
        },
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def _notify(app: Context, db: sqlite3.Connection, refund: dict[str, Any], order: dict) -> None:
    """Queue the notification to the refund's notify_url, else the merchant's configured one."""
    url = refund["notify_url"] or refund_notify_url(db, refund["mchid"])
    merchant = app.store.merchant(refund["mchid"])
    if not url or merchant is None:
        return  # neither URL: WeChat sends nothing (§6.1)
    body = notification_body(merchant.apiv3_key, refund, order, merchant.kind)
    complaint_ids = payments.complaints_of_order(db, refund["transaction_id"])
    app.notifier.enqueue_body(
        db,
        mchid=refund["mchid"],
        url=url,
        complaint_id=complaint_ids[0] if complaint_ids else "",
        action_type=f"REFUND.{refund['status']}",
        body=body,
    )


def refund_notify_url(db: sqlite3.Connection, mchid: str) -> str | None:
    row = db.execute("SELECT url FROM refund_notify_urls WHERE mchid = ?", (mchid,)).fetchone()
    return row["url"] if row else None


# --- complaints about the order (§9) -------------------------------------------------------------


def _complaints(app: Context, db: sqlite3.Connection, transaction_id: str) -> list[tuple]:
    found = []
    for complaint_id in payments.complaints_of_order(db, transaction_id):
        loaded = app.store.complaint_get(complaint_id)
        if loaded is not None:
            found.append((loaded[0], loaded[2]))
    return found


def on_accepted(
    app: Context, db: sqlite3.Connection, order: dict[str, Any], refund_amount: int
) -> None:
    """A refund was accepted: FULL/PARTIAL_REFUNDED history entry; a full one pushes
    SELLER_REFUND (收款方全额退款)."""
    if not app.settings.refund_complaint_coupling:
        return
    full = payments.refunded(db, order["transaction_id"]) >= order["total"]
    for complaint, _extra in _complaints(app, db, order["transaction_id"]):
        kind = "FULL" if full else "PARTIAL"
        words = "全额" if full else "部分"
        entry = history_entry(
            "系统",
            f"COMPLAINT_{kind}_REFUNDED_SYSTEM_MESSAGE",
            f"商户已发起{words}退款 {yuan(refund_amount)}",
        )
        app.store.history_append(db, complaint["complaint_id"], entry)
        if full:
            app.notifier.enqueue(
                db, complaint["complainted_mchid"], complaint["complaint_id"], "SELLER_REFUND"
            )


def _on_success(app: Context, db: sqlite3.Connection, refund: dict, order: dict) -> None:
    """The money arrived: REFUND_RECEIVED entry and REFUND_SUCCESS push; an approved
    refund-request complaint becomes PROCESSED (处理完成, CPL §3.7)."""
    if not app.settings.refund_complaint_coupling:
        return
    succeeded = sum(
        r["refund"]
        for r in payments.refunds_of_order(db, order["transaction_id"])
        if r["status"] == "SUCCESS"
    )
    for complaint, extra in _complaints(app, db, order["transaction_id"]):
        entry = history_entry(
            "系统",
            "COMPLAINT_REFUND_RECEIVED_SYSTEM_MESSAGE",
            f"退款已到账 {yuan(refund['refund'])}",
        )
        if succeeded >= order["total"]:
            complaint["complaint_full_refunded"] = True
        approved = extra.get("refund_decision") == "APPROVE"
        if complaint.get("problem_type") == "REFUND" and approved:
            complaint["complaint_state"] = "PROCESSED"
            complaint["incoming_user_response"] = False
        app.store.complaint_update(db, complaint, extra)
        app.store.history_append(db, complaint["complaint_id"], entry)
        app.notifier.enqueue(
            db, complaint["complainted_mchid"], complaint["complaint_id"], "REFUND_SUCCESS"
        )


# --- transitions ---------------------------------------------------------------------------------


def transition(app: Context, db: sqlite3.Connection, refund: dict[str, Any], status: str) -> None:
    """Move a refund to SUCCESS, ABNORMAL or CLOSED and queue what follows."""
    refund = {**refund, "status": status}
    if status == "SUCCESS":
        refund["success_time"] = payments.now_text()
    db.execute(
        "UPDATE refunds SET status = ?, success_time = ? WHERE refund_id = ?",
        (status, refund["success_time"], refund["refund_id"]),
    )
    order = payments.order_by_transaction_id(db, refund["transaction_id"])
    assert order is not None  # refunds are only accepted for existing orders
    _notify(app, db, refund, order)
    if status == "SUCCESS":
        _on_success(app, db, refund, order)


def force_outcome(app: Context, refund_id: str, status: str) -> dict[str, Any] | None:
    """Control API: a PROCESSING refund ends as `status` now; an ABNORMAL one can still be
    settled (SUCCESS or CLOSED), as the merchant platform allows. None: no such refund."""
    with app.store.transaction() as db:
        refund = payments.refund_by_id(db, refund_id)
        if refund is None:
            return None
        if refund["status"] == "PROCESSING":
            db.execute(
                "UPDATE refunds SET outcome = ?, due_at = ? WHERE refund_id = ?",
                (status, time.time(), refund_id),
            )
        elif refund["status"] == "ABNORMAL" and status != "ABNORMAL":
            transition(app, db, refund, status)
        else:
            raise ValueError(f"refund is {refund['status']}: its outcome cannot change")
    return refund


class RefundProcessor(DueThread):
    """Ends PROCESSING refunds when they are due; poke() after accepting one."""

    thread_name = "refunds"
    log = log

    def __init__(self, app: Context) -> None:
        super().__init__()
        self.app = app

    def _work(self) -> float:
        self._settle_due()
        return seconds_until(
            self.app.store, "SELECT MIN(due_at) FROM refunds WHERE status = 'PROCESSING'"
        )

    def _settle_due(self) -> None:
        with self.app.store.transaction() as db:
            due = db.execute(
                "SELECT * FROM refunds WHERE status = 'PROCESSING' AND due_at <= ?"
                " ORDER BY due_at LIMIT 64",
                (time.time(),),
            ).fetchall()
            for row in due:
                transition(self.app, db, dict(row), row["outcome"])
        if due:
            self.app.notifier.poke()
