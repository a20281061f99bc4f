"""In real Chromium: an immediate-service complaint reads as a conversation (the consumer on
the left, the merchant on the right, a button tap under the message it came from, the newest at
the bottom, the composer under it, the facts beside it) and follows new consumer messages as the
history is refreshed, unless the agent has scrolled up: then a "new message" marker appears and
takes them down. The whole chain is real: the sandbox over HTTP, ingestion, delivery of the
merchant's message, the page's own refresh (its `complaint-replied` trigger, fired as the
composer's response fires it). Screenshots in both languages go to artifacts/screenshots/."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from complaints.services.sync import complaint_refresh
from console.roles import AGENT
from messaging.models import Reply
from messaging.services.delivery import reply_deliver
from messaging.services.replies import reply_submit
from tests.complaints.conftest import assign
from tests.complaints.test_queue_browser import log_in
from tests.fixtures.users import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
REFUND = {
    "action_type": "ACTION_TYPE_SEND_MESSAGE",
    "message_info": {"content": "我要退款"},
    "action_id": "refund",
}
OFFER = {
    "blocks": [
        {"type": "TEXT", "text": {"text": "您好，我们已核实您的订单，可以为您办理退款。"}},
        {"type": "BUTTON", "button": {"text": "申请退款", "action": REFUND}},
    ],
    "sender_identity": "MANUAL",
}
LONG_ID = "4200000001202603011234567890123456789012345678901234567890"
REFRESH = "document.body.dispatchEvent(new Event('complaint-replied'))"  # as a sent reply does


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False


@pytest.fixture
def page_errors(page):
    """JavaScript errors and CSP violations (console errors) seen by the page."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def box(locator) -> dict[str, float]:
    found = locator.bounding_box()
    deadline = time.monotonic() + 5
    while found is None and time.monotonic() < deadline:
        time.sleep(0.05)  # a live re-read is swapping the history in at this instant
        found = locator.bounding_box()
    assert found is not None, f"{locator} is not laid out"
    return found


def consumer_writes(sandbox, merchant, complaint_id: str, content: str) -> None:
    """The consumer writes in WeChat; the console ingests it (as the webhook's task does)."""
    sandbox.control.user_action(complaint_id, "message", content=content)
    complaint_refresh(merchant=merchant, complaint_id=complaint_id)


def test_the_conversation_follows_new_consumer_messages_unless_the_agent_scrolled_up(
    live_server, page, page_errors, sandbox, wired
):
    agent = make_user("chat_agent", AGENT)
    assign(agent, wired)
    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1, need_immediate_service=True)
    for n in range(1, 9):
        sandbox.control.user_action(complaint_id, "message", content=f"第{n}条留言：还没有退款")
    sandbox.control.user_action(complaint_id, "message", content=f"订单号 {LONG_ID}")
    complaint = complaint_refresh(merchant=wired, complaint_id=complaint_id)
    offer = reply_submit(
        complaint=complaint,
        author=agent,
        endpoint=Reply.Endpoint.IMMEDIATE,
        payload={"message": OFFER},
        idempotent_id=uuid.uuid4(),
    )
    assert reply_deliver(reply_id=offer.pk) == "delivered"
    sandbox.control.user_action(complaint_id, "click", action_id="refund")  # taps 申请退款
    consumer_writes(sandbox, wired, complaint_id, "好的，请尽快处理")

    log_in(page, live_server.url, agent.username)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    # The stream is up and has replayed what came just before the page: the history is settled.
    expect(page.locator("body")).to_have_attribute("data-live-state", "live")
    page.wait_for_load_state("networkidle")
    chat = page.get_by_test_id("conversation")
    scroller = page.get_by_test_id("history-scroll")
    card = page.locator("[data-controller=conversation]")
    entries = chat.get_by_test_id("history-entry")
    merchant = chat.get_by_test_id("reply-attempt")
    expect(merchant).to_have_count(1)
    expect(page.locator("#reply .phone")).to_be_visible()  # the composer has loaded

    # The consumer on the left, the merchant on the right; the tap under the message it came from.
    consumer = entries.filter(has_text="第8条留言")
    frame = box(scroller)
    assert box(consumer)["x"] - frame["x"] < 40
    assert frame["x"] + frame["width"] - (box(merchant)["x"] + box(merchant)["width"]) < 40
    tap = merchant.get_by_test_id("button-tap")
    expect(tap).to_contain_text("用户点击了“申请退款”")
    expect(tap).to_contain_text("发送了“我要退款”")
    expect(tap).to_have_attribute("data-linked", "exact")
    # Newest at the bottom and in view, the oldest scrolled away; composer under, facts beside.
    expect(entries.last).to_contain_text("好的，请尽快处理")
    expect(entries.last).to_be_in_viewport()
    expect(entries.filter(has_text="第1条留言")).not_to_be_in_viewport()
    assert box(page.locator("#reply"))["y"] >= frame["y"] + frame["height"]
    assert box(page.locator(".conversation-side"))["x"] >= frame["x"] + frame["width"]
    assert box(chat)["width"] <= frame["width"]  # nothing, not even a long id, widens the chat
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "conversation-zh-hans-1280.png"))

    # At the bottom: a new consumer message scrolls into view when the history is refreshed.
    consumer_writes(sandbox, wired, complaint_id, "我已经等了很久了")
    page.evaluate(REFRESH)
    arrived = entries.filter(has_text="我已经等了很久了")
    expect(arrived).to_be_in_viewport()
    expect(entries.last).to_contain_text("我已经等了很久了")
    expect(page.get_by_test_id("new-message-marker")).to_be_hidden()

    # Scrolled up: the agent keeps their place, and the marker takes them down.
    scroller.evaluate("element => element.scrollTo({top: 0, behavior: 'instant'})")
    expect(card).to_have_attribute("data-following", "false")
    oldest = entries.first
    expect(oldest).to_be_in_viewport()
    consumer_writes(sandbox, wired, complaint_id, "还在吗？")
    page.evaluate(REFRESH)
    marker = page.get_by_test_id("new-message-marker")
    expect(marker).to_be_visible()
    expect(marker).to_have_text("有新消息 ↓")
    newest = entries.filter(has_text="还在吗？")
    expect(newest).to_have_count(1)
    expect(newest).not_to_be_in_viewport()
    expect(oldest).to_be_in_viewport()
    page.screenshot(path=str(SCREENSHOTS / "conversation-marker-zh-hans-1280.png"))
    marker.click()
    expect(newest).to_be_in_viewport()
    expect(marker).to_be_hidden()
    expect(card).to_have_attribute("data-following", "true")

    # The same page in English, and at 1024 px in both languages.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(tap).to_contain_text("User clicked “申请退款”")
    expect(entries.last).to_be_in_viewport()
    expect(page.locator("#reply .phone")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "conversation-en-1280.png"))
    page.screenshot(path=str(SCREENSHOTS / "conversation-en-1280-full.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 720})
    expect(entries.last).to_be_in_viewport()
    assert box(chat)["width"] <= box(scroller)["width"]
    page.screenshot(path=str(SCREENSHOTS / "conversation-en-1024.png"))
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(entries.last).to_be_in_viewport()
    expect(page.locator("#reply .phone")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "conversation-zh-hans-1024.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024  # no sideways scroll
    page.set_viewport_size({"width": 820, "height": 720})  # one column: the facts under the chat
    expect(entries.last).to_be_in_viewport()
    assert box(page.locator(".conversation-side"))["y"] >= box(page.locator("#reply"))["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    page.screenshot(path=str(SCREENSHOTS / "conversation-zh-hans-820.png"), full_page=True)
    assert page_errors == []
