"""The fault test, part two: the web process dies between the reply row's commit and the
browser's answer, and PostgreSQL restarts while replies are being delivered.

Everything real and of its own: a private PostgreSQL cluster (a copy of this test's database),
a gunicorn web server, a Celery worker with its beat (the reply sweeper), the session's sandbox
answering some calls with faults. A browser-like client sends the replies through the composer's
endpoints and, when an answer is lost, reconnects and sends the same form again, as a browser
resubmitting would. The sandbox must end with exactly one reply per idempotent_id, every reply
delivered with its log_id, and the page must show what happened.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import psycopg
import pytest
import requests
from django.db import connection

from tests.delivery.conftest import sandbox_complaint, wire_merchant
from tests.delivery.private_stack import PrivatePostgres, Stack
from tests.factories import assign
from tests.fixtures.users import PASSWORD

REPLIES = 40
COMPLAINTS = 4
KILL_WEB_AT, RESTART_DATABASE_AT = 6, 20
DELIVERY = {  # short backoff; the lease stays above the client's 10 s read timeout
    "backoff_base": 0.2,
    "backoff_cap": 1.0,
    "lease_seconds": 11.0,
    "queue_lease_seconds": 5.0,
    "max_attempts": 40,
}
FAULTS = [
    {"mode": "system_error", "fraction": 0.05},
    {"mode": "drop_after_commit", "fraction": 0.1},
]


@pytest.fixture
def private_database() -> Iterator[PrivatePostgres]:
    database = PrivatePostgres().start()
    try:
        yield database
    finally:
        database.stop()


@pytest.fixture
def stack(private_database, tmp_path) -> Iterator[Stack]:
    stack = Stack(
        tmp_path,
        private_database.url,
        {
            "CELERY_QUEUE": f"fault-web-{uuid.uuid4().hex[:8]}",
            "REPLY_DELIVERY": json.dumps(DELIVERY),
            "REPLY_SWEEP_EVERY_SECONDS": "1",
            "WECHATPAY_RATE_LIMITS_ENABLED": "false",
        },
    )
    try:
        yield stack
    finally:
        stack.stop()


class Browser:
    """What the agent's browser does: load the composer, send its form; when the answer is lost
    or the server fails, reconnect and send the same form again."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.http = requests.Session()
        self.lost_answers = 0

    def _again(self, call: Callable[[], requests.Response]) -> requests.Response:
        deadline = time.monotonic() + 40
        while True:
            try:
                answer = call()
                if answer.status_code < 500:
                    return answer
            except (requests.ConnectionError, requests.Timeout):
                self.lost_answers += 1
            assert time.monotonic() < deadline, self.stack.log("web")
            if not self.stack.web_alive():
                self.stack.start_web()
            time.sleep(0.3)

    def log_in(self, username: str) -> None:
        url = f"{self.stack.base_url}/accounts/login/"
        page = self._again(lambda: self.http.get(url, timeout=20)).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        answer = self._again(lambda: self.http.post(url, data=form, timeout=20))
        assert "/accounts/login/" not in answer.url, answer.text[:1000]  # signed in

    def page(self, path: str) -> str:
        url = f"{self.stack.base_url}{path}"
        answer = self._again(lambda: self.http.get(url, timeout=20))
        assert answer.status_code == 200, answer.text[:500]
        return answer.text

    def send_reply(self, complaint_pk: int, text: str) -> str:
        composer = self.page(f"/messaging/complaints/{complaint_pk}/composer/")
        form = {
            name: re.search(rf'name="{name}" value="([^"]*)"', composer).group(1)
            for name in ("idempotent_id", "seen_activity_version")
        }
        message = {
            "blocks": [{"type": "TEXT", "text": {"text": text}}],
            "sender_identity": "MANUAL",
        }
        form["content"] = json.dumps(message, ensure_ascii=False)
        url = f"{self.stack.base_url}/messaging/complaints/{complaint_pk}/send/"
        headers = {"X-CSRFToken": self.http.cookies["csrftoken"], "HX-Request": "true"}
        answer = self._again(lambda: self.http.post(url, data=form, headers=headers, timeout=20))
        assert answer.status_code == 200 and "complaint-replied" in json.loads(
            answer.headers.get("HX-Trigger", "{}")
        ), answer.text[:1000]
        return form["idempotent_id"]


def replies_in(database: PrivatePostgres) -> list[tuple[str, str, str]]:
    with psycopg.connect(database.url.replace("postgres://", "postgresql://")) as db:
        return db.execute(
            "SELECT idempotent_id::text, status, log_id FROM messaging_reply"
        ).fetchall()


def wait_until_sending(database: PrivatePostgres, idempotent_id: str) -> None:
    deadline = time.monotonic() + 20
    while "sending" not in {s for i, s, _ in replies_in(database) if i == idempotent_id}:
        assert time.monotonic() < deadline, "the reply's delivery never started"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_one_reply_per_idempotent_id_when_the_web_process_dies_and_the_database_restarts(
    sandbox, sandbox_merchant, agent, private_database, stack
):
    # Given a merchant wired to the sandbox, its complaints and an agent, copied to a private
    # cluster that the console's own processes use.
    sandbox.control.settings(rate_limits=False)
    merchant = wire_merchant(sandbox_merchant)
    complaints = [
        sandbox_complaint(sandbox, merchant, need_immediate_service=True) for _ in range(COMPLAINTS)
    ]
    assign(agent, merchant)
    connection.close()
    private_database.copy_from(connection.settings_dict)
    stack.start_worker()
    stack.start_web()
    browser = Browser(stack)
    browser.log_in(agent.username)
    sandbox.control.set_faults(*FAULTS)
    started = time.monotonic()
    sent: dict[str, str] = {}  # idempotent_id -> text

    try:
        for number in range(REPLIES):
            complaint = complaints[number % COMPLAINTS]
            if number == KILL_WEB_AT:
                stack.die_flag.touch()
            if number == RESTART_DATABASE_AT:  # its call to WeChat waits 3 s at the sandbox
                path = f"/v3/merchant-service/complaints-v2/{complaint.complaint_id}/"
                sandbox.control.set_faults(
                    {"mode": "delay", "seconds": 3, "count": 1, "path_prefix": path}
                )
            text = f"回复 {number} {uuid.uuid4().hex[:8]}"
            idempotent_id = browser.send_reply(complaint.pk, text)
            sent[idempotent_id] = text
            if number == RESTART_DATABASE_AT:
                # Restart while that call is in flight: WeChat takes the reply, the worker
                # cannot record it; the sweeper sends it again with the same idempotent_id.
                wait_until_sending(private_database, idempotent_id)
                private_database.restart()
            if number == KILL_WEB_AT:
                killed_text, killed_complaint = text, complaint
                assert not stack.die_flag.exists() and browser.lost_answers >= 1
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            rows = replies_in(private_database)
            if len(rows) == REPLIES and all(status == "delivered" for _, status, _ in rows):
                break
            time.sleep(0.5)
    finally:
        sandbox.control.clear_faults()  # the sandbox is shared by the whole session
    elapsed = time.monotonic() - started

    rows = replies_in(private_database)
    at_sandbox = sandbox.control.replies(mchid=merchant.mchid)
    ids = Counter(row["idempotent_id"] for row in at_sandbox)
    print(
        f"\nweb+database fault test: replies={len(rows)} sandbox={len(at_sandbox)} "
        f"statuses={dict(Counter(status for _, status, _ in rows))} "
        f"lost_answers={browser.lost_answers} seconds={elapsed:.1f}"
    )
    assert len(rows) == REPLIES and {row[0] for row in rows} == set(sent)
    assert all(status == "delivered" for _, status, _ in rows), stack.log("worker")
    assert len(at_sandbox) == REPLIES and max(ids.values()) == 1
    assert {row[2] for row in rows} == {row["log_id"] for row in at_sandbox}
    assert set(ids) == set(sent)
    assert "OperationalError" in stack.log("worker", tail=None)  # the restart hit a delivery
    # The browser, reconnected, shows the reply whose answer it lost: once, delivered.
    page = browser.page(f"/complaints/{killed_complaint.pk}/")
    assert page.count(killed_text) == 1, page
