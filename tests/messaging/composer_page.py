"""Driving the composer in real Chromium, for the browser tests: log in (recording every page
error), add and fill blocks and actions, drag, read the composer's content, wait for the draft's
save and for the sandbox to receive a reply; and the autouse check that no page error went
unexpected (import `no_page_errors` into a test module to use it)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.users import PASSWORD
from tests.messaging.conftest import PNG

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
page_errors: list[
    str
] = []  # JavaScript errors, CSP violations, HTTP errors: checked after each test
expected_errors: list[str] = []  # substrings of errors a test provokes on purpose
SAVED = re.compile(r"\d\d:\d\d:\d\d")


def log_in(page: Page, base_url: str, username: str) -> None:
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and page_errors.append(m.text))
    page.on("response", lambda r: r.status >= 400 and page_errors.append(f"{r.status} {r.url}"))
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.get_by_test_id("whoami")).to_be_visible()


def add_block(page: Page, block_type: str):
    page.locator(f'[data-action="composer#addBlock"][data-type="{block_type}"]').click()
    return page.locator("[data-block]").last


def unfold(scope) -> None:
    """Open a card's folded options as an agent does: click each visible summary."""
    closed = scope.locator("details[data-options]:not([open]) > summary:visible")
    while closed.count():
        closed.first.click()


def set_action(scope, action_type: str, **fields: str) -> None:
    action = scope.locator(".action-editor").first
    action.locator("select[data-key=action_type]").select_option(action_type)
    for key, value in fields.items():
        action.locator(f"[data-key={key}]:visible").fill(value)


def compose_every_block(page: Page) -> None:
    text = add_block(page, "TEXT")
    text.locator("textarea[data-key=text]").fill("您好，我们已收到您的投诉。")
    unfold(text)
    text.locator("select[data-key=color]").select_option("SECONDARY")
    text.locator("input[data-key=is_bold]").check()

    image = add_block(page, "IMAGE")
    image.locator("input[type=file]").set_input_files(
        {"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}
    )
    expect(image.locator("input[data-key=media_id]")).not_to_have_value("", timeout=30_000)
    unfold(image)
    image.locator("select[data-key=image_style_type]").select_option("IMAGE_STYLE_TYPE_WIDE")

    link = add_block(page, "LINK")
    link.locator("input[data-key=text]").first.fill("查看订单")
    set_action(link, "ACTION_TYPE_JUMP_URL", jump_url="https://shop.example/orders/1")
    unfold(link)
    link.locator("input[data-key=expired_time]").fill("2030-01-01T10:00")
    link.locator("select[data-key=multi_clickable]").select_option("false")

    faqs = add_block(page, "FAQ_LIST")
    faqs.locator('[data-action="composer#addItem"]').click()
    items = faqs.locator("[data-item]")
    for index, (title, content) in enumerate(
        [("如何退款？", "我要退款"), ("多久到账？", "多久到账")]
    ):
        items.nth(index).locator("input[data-key=faq_title]").fill(title)
        set_action(items.nth(index), "ACTION_TYPE_SEND_MESSAGE", content=content)

    button = add_block(page, "BUTTON")
    button.locator("input[data-key=text]").first.fill("联系客服")
    set_action(
        button, "ACTION_TYPE_JUMP_MINI_PROGRAM", appid="wx1234567890abcdef", path="pages/index"
    )

    group = add_block(page, "BUTTON_GROUP")
    unfold(group)
    group.locator("select[data-key=button_layout]").select_option("LAYOUT_VERTICAL")
    group.locator('[data-action="composer#addItem"]').click()
    buttons = group.locator("[data-item]")
    for index, (label, content) in enumerate([("同意", "同意方案"), ("拒绝", "拒绝方案")]):
        buttons.nth(index).locator("input[data-key=text]").first.fill(label)
        set_action(buttons.nth(index), "ACTION_TYPE_SEND_MESSAGE", content=content)


def expected_message(media_id: str) -> dict:
    def send(content: str) -> dict:
        return {"action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"content": content}}

    return {
        "blocks": [
            # IMAGE first: the TEXT block was dragged below it.
            {"type": "IMAGE", "image": {"media_id": media_id,
                                        "image_style_type": "IMAGE_STYLE_TYPE_WIDE"}},
            {"type": "TEXT", "text": {"text": "您好，我们已收到您的投诉。", "color": "SECONDARY",
                                      "is_bold": True}},
            {"type": "LINK", "link": {
                "text": "查看订单",
                "action": {"action_type": "ACTION_TYPE_JUMP_URL",
                           "jump_url": "https://shop.example/orders/1"},
                "invalid_info": {"expired_time": "2030-01-01T10:00:00+08:00",
                                 "multi_clickable": False}}},
            {"type": "FAQ_LIST", "faq_list": {"faqs": [
                {"faq_title": "如何退款？", "action": send("我要退款")},
                {"faq_title": "多久到账？", "action": send("多久到账")}]}},
            {"type": "BUTTON", "button": {"text": "联系客服", "action": {
                "action_type": "ACTION_TYPE_JUMP_MINI_PROGRAM",
                "mini_program_jump_info": {"appid": "wx1234567890abcdef", "path": "pages/index"}}}},
            {"type": "BUTTON_GROUP", "button_group": {
                "button_layout": "LAYOUT_VERTICAL",
                "buttons": [{"text": "同意", "action": send("同意方案")},
                            {"text": "拒绝", "action": send("拒绝方案")}]}},
        ],
        "sender_identity": "MANUAL",
    }  # fmt: skip


def drag_first_block_below_second(page: Page) -> None:
    blocks = page.locator("[data-block]")
    handle = blocks.nth(0).locator(".drag-handle")
    handle.scroll_into_view_if_needed()
    start = handle.bounding_box()
    target = blocks.nth(1).bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    end_y = min(target["y"] + target["height"] * 0.75, 710)
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 26):  # Sortable's fallback drag follows real mouse moves
        page.mouse.move(x, y + (end_y - y) * step / 25)
        time.sleep(0.03)
    page.mouse.up()
    expect(blocks.nth(0)).to_have_attribute("data-type", "IMAGE")


def composer_content(page: Page) -> dict:
    return json.loads(page.locator("#main [data-composer-target=content]").input_value())


def wait_for_saved(page: Page) -> None:
    expect(page.get_by_test_id("draft-status")).to_have_text(SAVED, timeout=10000)


def wait_for_reply(sandbox, mchid: str, complaint_id: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        replies = sandbox.control.replies(mchid=mchid, complaint_id=complaint_id)
        if len(replies) >= count:
            return replies
        time.sleep(0.3)
    raise AssertionError(f"the sandbox received {len(replies)} replies, expected {count}")


@pytest.fixture(autouse=True)
def no_page_errors():
    page_errors.clear()
    expected_errors.clear()
    yield
    unexpected = [e for e in page_errors if not any(part in e for part in expected_errors)]
    assert unexpected == [], "\n".join(unexpected)
