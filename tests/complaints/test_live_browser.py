"""In real Chromium, no reloads: what the consumer does reaches the agent's open pages through
the real path (sandbox → signed notification → webhook → Celery worker → event → stream), and a
stream dropped by a killed web process resumes without losing an event."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connection, transaction
from playwright.sync_api import expect

from complaints.models import Complaint
from complaints.services import complaint_upsert
from merchants.services import wechatpay_client
from messaging.services.replies import reply_submit
from tests.complaints.conftest import assign, wechat_complaint
from tests.fixtures.asgi_server import free_port
from tests.fixtures.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 30_000  # the worker's fetch from the sandbox, on a loaded CI machine


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator(".login-card button[type=submit]").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def button_message(action_id: str, reply_text: str) -> dict:
    action = {
        "action_type": "ACTION_TYPE_SEND_MESSAGE",
        "message_info": {"content": reply_text},
        "action_id": action_id,
    }
    return {"blocks": [{"type": "BUTTON", "button": {"text": "申请退款", "action": action}}]}


def test_a_live_conversation_reaches_the_open_queue_and_complaint_page(
    live_server, page, sandbox, wired, celery_worker_process
):
    agent = make_user("live_agent", "agent")
    assign(agent, wired)
    wechatpay_client(wired).create_notification_url(
        f"{live_server.url}/webhooks/wechatpay/{wired.mchid}/complaints"
    )
    log_in(page, live_server.url, "live_agent")
    page.goto(f"{live_server.url}/complaints/")
    expect(page.get_by_test_id("queue-row")).to_have_count(0)
    page.evaluate("window.__notReloaded = true")

    # A new immediate-service complaint appears in the open queue.
    (cid,) = sandbox.control.create_complaints(wired.mchid, 1, need_immediate_service=True)
    row = page.get_by_test_id("queue-row").filter(has_text=cid)
    expect(row).to_be_visible(timeout=WAIT_MS)
    assert page.evaluate("window.__notReloaded") is True

    row.get_by_role("link", name=cid).click()
    conversation = page.get_by_test_id("conversation")  # an immediate-service complaint: a chat
    expect(conversation).to_be_visible()
    page.evaluate("window.__notReloaded = true")
    complaint = Complaint.objects.get(complaint_id=cid)

    # The consumer writes: the message appears on the open complaint page.
    sandbox.control.user_action(cid, "message", content="请问什么时候发货？")
    consumer = conversation.locator("[data-side=user]")
    expect(consumer.filter(has_text="请问什么时候发货？")).to_be_visible(timeout=WAIT_MS)

    # Our reply with a button: it turns delivered, with WeChat's log_id, on the page.
    reply = reply_submit(
        complaint=complaint,
        author=agent,
        endpoint="response-immediate-service",
        payload={"message": button_message("refund-now", "我要退款")},
        idempotent_id=uuid.uuid4(),
    )
    status = page.locator(f"#reply-status-{reply.pk}")
    expect(status).to_have_attribute("data-status", "delivered", timeout=WAIT_MS)
    reply.refresh_from_db()
    assert reply.log_id
    expect(status).to_contain_text(reply.log_id)

    # The consumer taps the button: the tap appears too, under our message.
    sandbox.control.user_action(cid, "click", action_id="refund-now")
    expect(conversation.get_by_test_id("button-tap")).to_contain_text("我要退款", timeout=WAIT_MS)
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator("body").get_attribute("data-live-state") == "live"


# --- a web process that dies ------------------------------------------------------------------


class WebProcess:
    """The console under uvicorn in its own process, on the test database (like the worker)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        from tests.fixtures.celery_worker import WorkerProcess

        env = WorkerProcess().environment()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "console.asgi:application",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/healthz", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("the web process did not come up")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def web_process(transactional_db):
    web = WebProcess()
    web.start()
    yield web
    web.kill()


def test_a_stream_dropped_by_a_killed_web_process_resumes_without_losing_an_event(
    web_process, page, merchant
):
    agent = make_user("resume_agent", "agent")
    assign(agent, merchant)
    log_in(page, web_process.url, "resume_agent")
    page.goto(f"{web_process.url}/complaints/")
    expect(page.locator("body")).to_have_attribute("data-live-state", "live")
    page.evaluate("window.__notReloaded = true")

    web_process.kill()
    expect(page.locator("body")).to_have_attribute("data-live-state", "reconnecting")
    # While no web process runs, a complaint arrives (the worker's ingestion, in this process).
    data = wechat_complaint(complainted_mchid=merchant.mchid, need_immediate_service=True)
    with transaction.atomic():
        complaint_upsert(merchant=merchant, data=data)
    connection.close()
    web_process.start()

    expect(page.get_by_test_id("queue-row").filter(has_text=data.complaint_id)).to_be_visible(
        timeout=WAIT_MS
    )
    expect(page.locator("body")).to_have_attribute("data-live-state", "live")
    assert page.evaluate("window.__notReloaded") is True
    assert re.search(r"Updates live|实时更新", page.content())


def test_a_colleague_viewing_then_replying_then_leaving_shows_live(
    live_server, page, browser, merchant
):
    from tests.complaints.conftest import make_complaint

    for name in ("presence_a", "presence_b"):
        assign(make_user(name, "agent"), merchant)
    complaint = make_complaint(merchant)
    log_in(page, live_server.url, "presence_a")
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    presence = page.get_by_test_id("presence")
    expect(page.locator("body")).to_have_attribute("data-live-state", "live")
    expect(presence).not_to_contain_text("presence_b")

    colleague = browser.new_context(viewport={"width": 1280, "height": 720})
    other = colleague.new_page()
    try:
        log_in(other, live_server.url, "presence_b")
        other.goto(f"{live_server.url}/complaints/{complaint.pk}/")
        expect(presence).to_contain_text("presence_b", timeout=WAIT_MS)
        reply_field = other.locator("#reply textarea").first
        expect(reply_field).to_be_visible()
        reply_field.focus()  # starts replying
        expect(presence.locator("[data-mode=composing]")).to_contain_text(
            "presence_b", timeout=WAIT_MS
        )
        other.goto("about:blank")  # leaves: the stream closes and presence is cleared
        expect(presence).not_to_contain_text("presence_b", timeout=WAIT_MS)
    finally:
        colleague.close()


def test_the_open_queue_inserts_and_removes_rows_in_place_keeping_the_selection(
    live_server, page, merchant
):
    from tests.complaints.conftest import make_complaint

    assign(make_user("queue_watcher", "agent"), merchant)
    first, second = make_complaint(merchant), make_complaint(merchant)
    log_in(page, live_server.url, "queue_watcher")
    page.goto(f"{live_server.url}/complaints/")
    expect(page.locator("body")).to_have_attribute("data-live-state", "live")
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(2)
    page.keyboard.press("j")
    selected = rows.first.get_attribute("data-complaint-pk")
    other = second if str(first.pk) == selected else first
    page.evaluate("document.querySelectorAll('[data-testid=queue-row]').forEach(r => r.__kept = 1)")

    # A complaint arrives (older deadline: it goes on top) — the rows there stay the same nodes.
    arrived = wechat_complaint(complainted_mchid=merchant.mchid)
    with transaction.atomic():
        complaint_upsert(merchant=merchant, data=arrived)
    expect(rows.first).to_contain_text(arrived.complaint_id)
    expect(rows).to_have_count(3)
    kept = page.evaluate(
        "[...document.querySelectorAll('[data-testid=queue-row]')].map(r => r.__kept || 0)"
    )
    assert kept == [0, 1, 1]
    expect(page.locator(f"#row-{selected}")).to_have_attribute("aria-selected", "true")

    # The other one is processed in WeChat: it leaves the open queue, the selection stays.
    done = wechat_complaint(
        complaint_id=other.complaint_id,
        complainted_mchid=merchant.mchid,
        complaint_state="PROCESSED",
    )
    with transaction.atomic():
        complaint_upsert(merchant=merchant, data=done)
    expect(page.locator(f"#row-{other.pk}")).to_have_count(0)
    expect(rows).to_have_count(2)
    expect(page.locator(f"#row-{selected}")).to_have_attribute("aria-selected", "true")
