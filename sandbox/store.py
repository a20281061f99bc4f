"""SQLite state of the sandbox: merchants, complaints, history, replies, media, notifications.

One connection guarded by a lock (WAL mode): the HTTP threads and the notifier share it. Every
write method is one transaction, so a reply and its history entry are recorded together or not at
all. Merchants are cached in memory with their parsed keys, since every request needs them.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from wechatpay import crypto

SCHEMA = """
CREATE TABLE IF NOT EXISTS merchants (
    mchid TEXT PRIMARY KEY, kind TEXT NOT NULL, apiv3_key TEXT NOT NULL,
    sub_mchids TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS merchant_keys (
    mchid TEXT NOT NULL, serial TEXT NOT NULL, public_key_pem TEXT NOT NULL,
    added REAL NOT NULL, PRIMARY KEY (mchid, serial));
CREATE TABLE IF NOT EXISTS complaints (
    complaint_id TEXT PRIMARY KEY, mchid TEXT NOT NULL, created REAL NOT NULL,
    data TEXT NOT NULL, phone TEXT NOT NULL, extra TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS complaints_by_mchid ON complaints (mchid, created);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, complaint_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_by_complaint ON history (complaint_id, seq);
CREATE TABLE IF NOT EXISTS replies (
    log_id TEXT PRIMARY KEY, mchid TEXT NOT NULL, complaint_id TEXT NOT NULL,
    endpoint TEXT NOT NULL, idempotent_id TEXT, body TEXT NOT NULL, time REAL NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS replies_idempotent
    ON replies (complaint_id, idempotent_id) WHERE idempotent_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS media (
    media_id TEXT PRIMARY KEY, mchid TEXT NOT NULL, origin TEXT NOT NULL,
    content_type TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS notify_urls (mchid TEXT PRIMARY KEY, url TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notifications (
    id TEXT PRIMARY KEY, mchid TEXT NOT NULL, url TEXT NOT NULL, complaint_id TEXT NOT NULL,
    action_type TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (status, next_at);
CREATE TABLE IF NOT EXISTS notification_attempts (
    notification_id TEXT NOT NULL, at REAL NOT NULL, outcome TEXT NOT NULL);
"""


@dataclass
class Merchant:
    mchid: str
    kind: str
    apiv3_key: str
    sub_mchids: list[str]
    keys: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)  # by certificate serial

    def may_act_for(self, complainted_mchid: str) -> bool:
        if complainted_mchid == self.mchid:
            return True
        return self.kind == "partner" and complainted_mchid in self.sub_mchids


class Store:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._merchants: dict[str, Merchant] = {}
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Serialize on the lock and commit (or roll back) as one unit."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- merchants -----------------------------------------------------------

    def merchant_save(
        self, *, mchid: str, kind: str, apiv3_key: str, sub_mchids: list[str], keys: dict[str, str]
    ) -> None:
        """Insert or update; keys (serial -> PEM) are added, so old serials keep working."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO merchants VALUES (?, ?, ?, ?, ?) ON CONFLICT (mchid) DO UPDATE SET"
                " kind = excluded.kind, apiv3_key = excluded.apiv3_key,"
                " sub_mchids = excluded.sub_mchids",
                (mchid, kind, apiv3_key, json.dumps(sub_mchids), time.time()),
            )
            for serial, pem in keys.items():
                db.execute(
                    "INSERT OR REPLACE INTO merchant_keys VALUES (?, ?, ?, ?)",
                    (mchid, serial, pem, time.time()),
                )
            self._merchants.pop(mchid, None)

    def merchant(self, mchid: str) -> Merchant | None:
        cached = self._merchants.get(mchid)
        if cached is not None:
            return cached
        rows = self.query("SELECT * FROM merchants WHERE mchid = ?", (mchid,))
        if not rows:
            return None
        row = rows[0]
        merchant = Merchant(
            row["mchid"], row["kind"], row["apiv3_key"], json.loads(row["sub_mchids"])
        )
        for key_row in self.query(
            "SELECT serial, public_key_pem FROM merchant_keys WHERE mchid = ? ORDER BY added",
            (mchid,),
        ):
            merchant.keys[key_row["serial"]] = crypto.load_public_key(key_row["public_key_pem"])
        self._merchants[mchid] = merchant
        return merchant

    def merchants(self) -> list[str]:
        return [row["mchid"] for row in self.query("SELECT mchid FROM merchants ORDER BY mchid")]

    def merchants_receiving_for(self, complainted_mchid: str) -> list[Merchant]:
        """The merchant itself and every partner that serves it (they all get notifications)."""
        found = []
        for mchid in self.merchants():
            merchant = self.merchant(mchid)
            if merchant and merchant.may_act_for(complainted_mchid):
                found.append(merchant)
        return found

    # --- complaints ----------------------------------------------------------

    def complaint_insert(
        self, db: sqlite3.Connection, complaint: dict[str, Any], phone: str, extra: dict[str, Any]
    ) -> None:
        db.execute(
            "INSERT INTO complaints VALUES (?, ?, ?, ?, ?, ?)",
            (
                complaint["complaint_id"],
                complaint["complainted_mchid"],
                # The list filters on complaint_time, which an override may have moved.
                dt.datetime.fromisoformat(complaint["complaint_time"]).timestamp(),
                json.dumps(complaint, ensure_ascii=False),
                phone,
                json.dumps(extra, ensure_ascii=False),
            ),
        )

    def complaint_update(
        self, db: sqlite3.Connection, complaint: dict[str, Any], extra: dict[str, Any]
    ) -> None:
        db.execute(
            "UPDATE complaints SET data = ?, extra = ? WHERE complaint_id = ?",
            (
                json.dumps(complaint, ensure_ascii=False),
                json.dumps(extra, ensure_ascii=False),
                complaint["complaint_id"],
            ),
        )

    def complaint_get(self, complaint_id: str) -> tuple[dict[str, Any], str, dict[str, Any]] | None:
        rows = self.query(
            "SELECT data, phone, extra FROM complaints WHERE complaint_id = ?", (complaint_id,)
        )
        if not rows:
            return None
        return json.loads(rows[0]["data"]), rows[0]["phone"], json.loads(rows[0]["extra"])

    def history_append(
        self, db: sqlite3.Connection, complaint_id: str, entry: dict[str, Any]
    ) -> None:
        db.execute(
            "INSERT INTO history (complaint_id, data) VALUES (?, ?)",
            (complaint_id, json.dumps(entry, ensure_ascii=False)),
        )

    def history(self, complaint_id: str) -> list[dict[str, Any]]:
        rows = self.query(
            "SELECT data FROM history WHERE complaint_id = ? ORDER BY seq", (complaint_id,)
        )
        return [json.loads(row["data"]) for row in rows]

    # --- replies, media, notification urls ------------------------------------

    def reply_insert(self, db: sqlite3.Connection, **values: Any) -> None:
        db.execute(
            "INSERT INTO replies VALUES (:log_id, :mchid, :complaint_id, :endpoint,"
            " :idempotent_id, :body, :time)",
            {**values, "body": json.dumps(values["body"], ensure_ascii=False)},
        )

    def reply_by_idempotent_id(self, complaint_id: str, idempotent_id: str) -> str | None:
        rows = self.query(
            "SELECT log_id FROM replies WHERE complaint_id = ? AND idempotent_id = ?",
            (complaint_id, idempotent_id),
        )
        return rows[0]["log_id"] if rows else None

    def replies(self, mchid: str | None, complaint_id: str | None) -> list[dict[str, Any]]:
        rows = self.query(
            "SELECT * FROM replies WHERE (? IS NULL OR mchid = ?)"
            " AND (? IS NULL OR complaint_id = ?) ORDER BY time, rowid",
            (mchid, mchid, complaint_id, complaint_id),
        )
        return [{**dict(row), "body": json.loads(row["body"])} for row in rows]

    def media_put(
        self, media_id: str, mchid: str, origin: str, content_type: str, data: bytes
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO media VALUES (?, ?, ?, ?, ?)",
                (media_id, mchid, origin, content_type, data),
            )

    def media_get(self, media_id: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM media WHERE media_id = ?", (media_id,))
        return rows[0] if rows else None

    def notify_url(self, mchid: str) -> str | None:
        rows = self.query("SELECT url FROM notify_urls WHERE mchid = ?", (mchid,))
        return rows[0]["url"] if rows else None

    def notify_url_set(self, mchid: str, url: str | None) -> None:
        with self.transaction() as db:
            if url is None:
                db.execute("DELETE FROM notify_urls WHERE mchid = ?", (mchid,))
            else:
                db.execute("INSERT OR REPLACE INTO notify_urls VALUES (?, ?)", (mchid, url))
