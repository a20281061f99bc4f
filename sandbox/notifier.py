"""Complaint notifications: signed, AEAD-encrypted POSTs with WeChat's retry schedule (spec §4).

A notification is a row written in the same transaction as the change it reports; a background
thread delivers due rows. The body (and so the event id) is fixed at creation: every retry sends the
same event, only the signature headers are fresh.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import sqlite3
import string
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import requests

from sandbox.auth import new_request_id
from sandbox.due_thread import DueThread, seconds_until
from wechatpay import crypto

if TYPE_CHECKING:
    from sandbox.state import State

log = logging.getLogger("sandbox.notifier")
CHINA = dt.timezone(dt.timedelta(hours=8))
MAX_ATTEMPTS = 1000
MAX_AGE = 7 * 24 * 3600.0
SUMMARIES = {"CREATE_COMPLAINT": "产生新投诉"}


def retry_delay(attempts: int) -> float:
    """Seconds to wait after `attempts` failed tries: 5 s once, 1 min ×10, then 5 min."""
    if attempts <= 1:
        return 5.0
    if attempts <= 11:
        return 60.0
    return 300.0


def _nonce12() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))


def build_body(apiv3_key: str, complaint_id: str, action_type: str) -> str:
    plaintext = json.dumps(
        {"complaint_id": complaint_id, "action_type": action_type}, separators=(",", ":")
    ).encode("utf-8")
    nonce = _nonce12()
    event_type = (
        "COMPLAINT.CREATE" if action_type == "CREATE_COMPLAINT" else "COMPLAINT.STATE_CHANGE"
    )
    body = {
        "id": str(uuid.uuid4()),
        "create_time": dt.datetime.now(CHINA).isoformat(timespec="seconds"),
        "event_type": event_type,
        "resource_type": "encrypt-resource",
        "summary": SUMMARIES.get(action_type, "投诉状态变化"),
        "resource": {
            "algorithm": "AEAD_AES_256_GCM",
            "original_type": "complaint",
            "ciphertext": crypto.aead_encrypt(apiv3_key, nonce, "", plaintext),
            "nonce": nonce,
            "associated_data": "",
        },
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


class Notifier(DueThread):
    thread_name = "notifier"
    log = log

    def __init__(self, app: State) -> None:
        super().__init__()
        self.app = app
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="notify")
        self._session = requests.Session()

    # --- scheduling -----------------------------------------------------------

    def enqueue(
        self, db: sqlite3.Connection, complainted_mchid: str, complaint_id: str, action_type: str
    ) -> None:
        """Queue one notification per receiver with a URL (the merchant and its partners)."""
        now = time.time()
        for merchant in self.app.store.merchants_receiving_for(complainted_mchid):
            url = self.app.store.notify_url(merchant.mchid)
            if not url:
                continue
            body = build_body(merchant.apiv3_key, complaint_id, action_type)
            self._insert(db, merchant.mchid, url, complaint_id, action_type, body, now)
        self.poke()

    def enqueue_body(
        self,
        db: sqlite3.Connection,
        *,
        mchid: str,
        url: str,
        complaint_id: str,
        action_type: str,
        body: str,
    ) -> None:
        """Queue a ready-made event (refund notifications) for the same delivery and retries."""
        self._insert(db, mchid, url, complaint_id, action_type, body, time.time())
        self.poke()

    @staticmethod
    def _insert(
        db: sqlite3.Connection, mchid: str, url: str, complaint_id: str, action_type: str,
        body: str, now: float,
    ) -> None:  # fmt: skip
        db.execute(
            "INSERT INTO notifications (id, mchid, url, complaint_id, action_type, body,"
            " status, next_at, created) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (json.loads(body)["id"], mchid, url, complaint_id, action_type, body, now, now),
        )

    def start(self) -> None:
        with self.app.store.transaction() as db:
            db.execute("UPDATE notifications SET status = 'pending' WHERE status = 'sending'")
        super().start()

    def stop(self) -> None:
        super().stop()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _work(self) -> float:
        due = self._claim_due()
        for row in due:
            self._pool.submit(self._deliver, dict(row))
        if due:
            return 0.05
        return seconds_until(
            self.app.store, "SELECT MIN(next_at) FROM notifications WHERE status = 'pending'"
        )

    def _claim_due(self) -> list[sqlite3.Row]:
        with self.app.store.transaction() as db:
            rows = db.execute(
                "SELECT * FROM notifications WHERE status = 'pending' AND next_at <= ?"
                " ORDER BY next_at LIMIT 32",
                (time.time(),),
            ).fetchall()
            for row in rows:
                db.execute("UPDATE notifications SET status = 'sending' WHERE id = ?", (row["id"],))
        return rows

    # --- delivery -------------------------------------------------------------

    def _headers(self, body: str, *, probe: bool = False) -> dict[str, str]:
        platform = self.app.platform
        if self.app.settings.notification_signer == "public_key":
            serial, key = platform.public_key_id, platform.public_key_private
        else:
            serial, key = platform.certificate_serial, platform.certificate_private
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16).upper()
        signature = crypto.sign(key, crypto.response_message(timestamp, nonce, body))
        if probe:
            signature = crypto.SIGNTEST_PREFIX + signature[len(crypto.SIGNTEST_PREFIX) :]
        return {
            "Content-Type": "application/json",
            "Request-ID": new_request_id(),
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": serial,
            "Wechatpay-Signature-Type": crypto.SIGNATURE_TYPE,
            "User-Agent": "Mozilla/4.0",
        }

    def _deliver(self, row: dict[str, Any]) -> None:
        body = row["body"]
        if self.app.settings.notification_probes:
            self._probe(row)
        try:
            answer = self._session.post(
                row["url"],
                data=body.encode("utf-8"),
                headers=self._headers(body),
                timeout=self.app.settings.notify_timeout,
            )
            ok = answer.status_code in (200, 204)
            outcome = f"HTTP {answer.status_code}"
        except requests.RequestException as exc:
            ok, outcome = False, f"error: {type(exc).__name__}"
        self._record(row, ok, outcome)

    def _probe(self, row: dict[str, Any]) -> None:
        """A probe's answer is only logged: a receiver that verifies must refuse it."""
        try:
            answer = self._session.post(
                row["url"],
                data=row["body"].encode("utf-8"),
                headers=self._headers(row["body"], probe=True),
                timeout=self.app.settings.notify_timeout,
            )
            outcome = f"probe HTTP {answer.status_code}"
        except requests.RequestException as exc:
            outcome = f"probe error: {type(exc).__name__}"
        with self.app.store.transaction() as db:
            db.execute(
                "INSERT INTO notification_attempts VALUES (?, ?, ?)",
                (row["id"], time.time(), outcome),
            )

    def _record(self, row: dict[str, Any], ok: bool, outcome: str) -> None:
        attempts = row["attempts"] + 1
        now = time.time()
        if ok:
            status, next_at = "delivered", row["next_at"]
        elif attempts >= MAX_ATTEMPTS or now - row["created"] > MAX_AGE:
            status, next_at = "failed", row["next_at"]
        else:
            status = "pending"
            next_at = now + retry_delay(attempts) * self.app.settings.notify_time_scale
        try:
            with self.app.store.transaction() as db:
                db.execute(
                    "UPDATE notifications SET status = ?, attempts = ?, next_at = ? WHERE id = ?",
                    (status, attempts, next_at, row["id"]),
                )
                db.execute(
                    "INSERT INTO notification_attempts VALUES (?, ?, ?)", (row["id"], now, outcome)
                )
        except sqlite3.ProgrammingError:
            return  # the store was closed while this delivery was in flight (shutdown)
        self.poke()

    def describe(self, mchid: str | None, complaint_id: str | None) -> list[dict[str, Any]]:
        rows = self.app.store.query(
            "SELECT * FROM notifications WHERE (? IS NULL OR mchid = ?)"
            " AND (? IS NULL OR complaint_id = ?) ORDER BY created, rowid",
            (mchid, mchid, complaint_id, complaint_id),
        )
        result = []
        for row in rows:
            attempts = self.app.store.query(
                "SELECT at, outcome FROM notification_attempts WHERE notification_id = ?"
                " ORDER BY at",
                (row["id"],),
            )
            item = {k: row[k] for k in ("id", "mchid", "url", "complaint_id", "action_type")}
            item.update(status=row["status"], body=json.loads(row["body"]))
            item["attempts"] = [dict(a) for a in attempts]
            result.append(item)
        return result
