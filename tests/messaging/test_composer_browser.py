"""End to end in real Chromium: compose a rich reply, reorder, upload, reload, send; stale guard.

The whole chain runs for real: the sandbox over HTTP, the console's complaint page, a Celery
worker delivering the reply, and the composer's Stimulus controllers.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from complaints.services.sync import complaint_refresh
from console.roles import AGENT
from tests.fixtures.users import PASSWORD, make_user
from tests.messaging.conftest import PNG, assign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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
    expect(image.locator("input[data-key=media_id]")).not_to_have_value("", timeout=15000)
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


@pytest.fixture
def immediate_complaint(sandbox, sandbox_backed_merchant):
    mchid = sandbox_backed_merchant.mchid
    (complaint_id,) = sandbox.control.create_complaints(
        mchid, 1, need_immediate_service=True, problem_type="SERVICE_NOT_WORK"
    )
    return complaint_refresh(merchant=sandbox_backed_merchant, complaint_id=complaint_id)


def test_agent_composes_reorders_uploads_reloads_and_sends(
    live_server, page, sandbox, sandbox_backed_merchant, immediate_complaint, start_worker
):
    start_worker()
    agent = make_user("composer_agent", AGENT)
    assign(agent, sandbox_backed_merchant)
    complaint = immediate_complaint
    detail = f"{live_server.url}/complaints/{complaint.pk}/"
    log_in(page, live_server.url, agent.username)
    with page.expect_response(lambda answer: "/preview/" in answer.url):
        page.goto(detail)
    expect(page.get_by_test_id("composer")).to_be_visible()
    # A fresh composer asks for its first block in words, not with a red error.
    expect(page.locator("[data-composer-target=blockList]")).to_have_attribute(
        "data-empty", "还没有消息块：用上方的按钮添加第一个。"
    )
    page.wait_for_timeout(300)  # the preview's answer has been applied
    expect(page.get_by_test_id("composer").locator(".field-error")).to_have_count(0)

    compose_every_block(page)
    drag_first_block_below_second(page)
    media_id = page.locator("[data-block] input[data-key=media_id]").first.input_value()
    expected = expected_message(media_id)
    assert composer_content(page) == expected
    wait_for_saved(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "composer-zh-hans.png"), full_page=True)

    page.reload()  # the draft comes back intact (and in the other language)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-block]")).to_have_count(6)
    assert composer_content(page) == expected
    expect(page.get_by_test_id("composer-preview")).to_contain_text("查看订单")
    page.screenshot(path=str(SCREENSHOTS / "composer-en.png"), full_page=True)

    page.get_by_test_id("composer-send").click()
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(complaint.complaint_id)
    dialog.get_by_test_id("confirm-send").click()
    expect(page.get_by_test_id("reply-queued")).to_be_visible()
    expect(page.locator("[data-block]")).to_have_count(0)  # the draft is cleared
    # The timeline shows the reply at once (not at its 20 s poll) and its status goes live.
    expect(page.get_by_test_id("reply-attempt")).to_have_count(1, timeout=5_000)

    (reply,) = wait_for_reply(sandbox, sandbox_backed_merchant.mchid, complaint.complaint_id, 1)
    assert reply["body"]["message"] == expected
    status = page.get_by_test_id("reply-attempt").get_by_test_id("reply-status")
    expect(status).to_have_attribute("data-status", "delivered", timeout=10_000)
    expect(status).to_contain_text(reply["log_id"])
    # The facts follow without a reload: PROCESSING, and the first reply is recorded.
    expect(page.get_by_test_id("state")).to_have_text("Processing", timeout=10_000)
    expect(page.get_by_test_id("fact-first-reply")).to_contain_text("Replied")


def test_stale_reply_guard_stops_the_send_until_the_agent_reviews(
    live_server, page, sandbox, sandbox_backed_merchant, immediate_complaint, start_worker
):
    start_worker()
    agent = make_user("composer_agent", AGENT)
    assign(agent, sandbox_backed_merchant)
    complaint = immediate_complaint
    log_in(page, live_server.url, agent.username)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    text = add_block(page, "TEXT")
    text.locator("textarea[data-key=text]").fill("我们马上处理。")
    page.get_by_test_id("composer-send").click()
    expect(page.get_by_test_id("confirm-dialog")).to_be_visible()

    # While the agent looks at the confirmation, the user writes again (and it is ingested).
    sandbox.control.user_action(complaint.complaint_id, "message", content="还没有退款吗？")
    complaint_refresh(merchant=sandbox_backed_merchant, complaint_id=complaint.complaint_id)

    page.get_by_test_id("confirm-send").click()
    warning = page.get_by_test_id("stale-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("还没有退款吗？")
    assert sandbox.control.replies(complaint_id=complaint.complaint_id) == []
    page.screenshot(path=str(SCREENSHOTS / "composer-stale-guard.png"))

    page.get_by_test_id("confirm-send").click()  # "I have reviewed it: send"
    expect(page.get_by_test_id("reply-queued")).to_be_visible()
    (reply,) = wait_for_reply(sandbox, sandbox_backed_merchant.mchid, complaint.complaint_id, 1)
    assert reply["body"]["message"]["blocks"][0]["text"]["text"] == "我们马上处理。"


def test_supervisor_template_is_inserted_at_the_cursor_with_its_variables_filled(
    live_server, page, sandbox, sandbox_backed_merchant, immediate_complaint
):
    from console.roles import SUPERVISOR

    supervisor = make_user("template_supervisor", SUPERVISOR)
    assign(supervisor, sandbox_backed_merchant)
    log_in(page, live_server.url, supervisor.username)
    page.goto(f"{live_server.url}/messaging/templates/")
    page.locator(f'a[href="/messaging/templates/new/{sandbox_backed_merchant.pk}/"]').click()
    page.locator("input[name=name]").fill("订单说明")
    text = add_block(page, "TEXT")
    text.locator("textarea[data-key=text]").fill("订单 {{order_number}}，{{ refund_amount }}")
    expect(page.locator("[data-composer-target=preview]")).to_contain_text("ORDER123456")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "template-editor-zh-hans.png"), full_page=True)
    page.locator("form.composer-form button[type=submit].primary").click()
    expect(page.locator("table.data")).to_contain_text("订单说明")

    complaint = immediate_complaint
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    add_block(page, "TEXT").locator("textarea").fill("第一段")
    add_block(page, "TEXT").locator("textarea").fill("最后一段")
    page.locator("[data-block]").first.locator("textarea").focus()  # the cursor
    page.locator('[data-action="composer#insertTemplate"]').click()

    expect(page.locator("[data-block]")).to_have_count(3)
    texts = [block["text"]["text"] for block in composer_content(page)["blocks"]]
    assert complaint.apply_refund_amount is None  # so the variable stays, marked as a gap
    assert texts == [
        "第一段",
        f"订单 {complaint.out_trade_no}，{{{{ refund_amount }}}}",
        "最后一段",
    ]
    gap = page.get_by_test_id("composer-preview").locator("mark.nm-gap")
    expect(gap).to_have_text("{{ refund_amount }}")

    # Keyboard users reorder with the move buttons.
    page.locator("[data-block]").first.locator('[data-action="composer#moveDown"]').focus()
    page.keyboard.press("Enter")
    texts = [block["text"]["text"] for block in composer_content(page)["blocks"]]
    assert texts[:2] == [f"订单 {complaint.out_trade_no}，{{{{ refund_amount }}}}", "第一段"]


def test_plain_reply_counts_to_wechats_500_and_sends_with_an_image(
    live_server, page, sandbox, sandbox_backed_merchant, start_worker
):
    start_worker()
    mchid = sandbox_backed_merchant.mchid
    (complaint_id,) = sandbox.control.create_complaints(mchid, 1, need_immediate_service=False)
    complaint = complaint_refresh(merchant=sandbox_backed_merchant, complaint_id=complaint_id)
    agent = make_user("plain_agent", AGENT)
    assign(agent, sandbox_backed_merchant)
    log_in(page, live_server.url, agent.username)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")

    content = "您好，" + "退款已经处理。" * 30
    page.locator("textarea[data-key=response_content]").fill(content)
    # One rule, stated once: the counter's 500; no warning at 213 characters contradicts it.
    expect(page.locator("[data-composer-target=counter]")).to_have_text("213 / 500")
    page.wait_for_timeout(600)  # the preview's answer (with its warnings, if any) is applied
    expect(page.locator(".field-error")).to_have_count(0)
    page.locator('[data-scope="list"] [data-action="composer#addItem"]').click()
    picker = page.locator("[data-item] input[type=file]")
    # Checked in the browser first: a text file under an image name never leaves the page.
    picker.set_input_files({"name": "fake.png", "mimeType": "image/png", "buffer": b"x" * 64})
    expect(page.locator("[data-item] .image-message.error")).to_be_visible()
    # WeChat Pay fails once: the failure is shown and the agent retries without picking again.
    expected_errors.extend(["/images/upload/", "status of 502"])
    sandbox.control.set_faults(
        {"mode": "system_error", "count": 1, "path_prefix": "/v3/merchant-service/images"}
    )
    picker.set_input_files({"name": "proof.png", "mimeType": "image/png", "buffer": PNG})
    retry = page.locator("[data-item] [data-composer-image-target=retry]")
    expect(retry).to_be_visible()
    expect(page.locator("[data-item] .image-message.error")).to_be_visible()
    retry.click()
    media = page.locator("[data-item] input[data-key=value]")
    expect(media).not_to_have_value("", timeout=15000)
    media_id = media.input_value()

    page.get_by_test_id("composer-send").click()
    page.get_by_test_id("confirm-send").click()
    expect(page.get_by_test_id("reply-queued")).to_be_visible()
    (reply,) = wait_for_reply(sandbox, mchid, complaint_id, 1)
    assert reply["body"]["response_content"] == content
    assert reply["body"]["response_images"] == [media_id]


def test_draft_is_saved_when_the_agent_leaves_the_page_at_once(
    live_server, page, sandbox_backed_merchant, immediate_complaint
):
    from messaging.models import Draft

    agent = make_user("leaving_agent", AGENT)
    assign(agent, sandbox_backed_merchant)
    log_in(page, live_server.url, agent.username)
    page.goto(f"{live_server.url}/complaints/{immediate_complaint.pk}/")
    add_block(page, "TEXT").locator("textarea").fill("写到一半")
    page.goto(f"{live_server.url}/complaints/")  # before the autosave delay has passed

    deadline = time.monotonic() + 10
    while not Draft.objects.filter(author=agent).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    draft = Draft.objects.get(author=agent, complaint=immediate_complaint)
    assert draft.content["blocks"] == [{"type": "TEXT", "text": {"text": "写到一半"}}]


def test_a_template_button_keeps_its_action_id_and_custom_data_through_the_composer(
    live_server, page, sandbox, sandbox_backed_merchant, immediate_complaint
):
    from messaging.models import ReplyTemplate

    action = {
        "action_type": "ACTION_TYPE_SEND_MESSAGE",
        "message_info": {"content": "我的问题已解决", "custom_data": "ticket=42"},
        "action_id": "resolved",
    }
    ReplyTemplate.objects.create(
        merchant=sandbox_backed_merchant, name="带按钮",
        blocks=[{"type": "BUTTON", "button": {"text": "问题已解决", "action": action}}],
    )  # fmt: skip
    agent = make_user("action_id_agent", AGENT)
    assign(agent, sandbox_backed_merchant)
    log_in(page, live_server.url, agent.username)
    page.goto(f"{live_server.url}/complaints/{immediate_complaint.pk}/")

    page.locator('[data-action="composer#insertTemplate"]').click()

    expect(page.locator("[data-block]")).to_have_count(1)
    (block,) = composer_content(page)["blocks"]
    assert block["button"]["action"] == action


def test_a_template_inserts_its_text_into_the_plain_reply_at_the_cursor(
    live_server, page, sandbox, sandbox_backed_merchant, start_worker
):
    from messaging.models import ReplyTemplate

    start_worker()
    mchid = sandbox_backed_merchant.mchid
    (complaint_id,) = sandbox.control.create_complaints(mchid, 1, need_immediate_service=False)
    complaint = complaint_refresh(merchant=sandbox_backed_merchant, complaint_id=complaint_id)
    send = {"action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"content": "好"}}
    ReplyTemplate.objects.create(
        merchant=sandbox_backed_merchant, name="退款说明",
        blocks=[
            {"type": "TEXT", "text": {"text": "订单 {{ order_number }} 的退款已受理。"}},
            {"type": "BUTTON", "button": {"text": "好的", "action": send}},
            {"type": "TEXT", "text": {"text": "预计 1–3 个工作日到账。"}},
        ],
    )  # fmt: skip
    agent = make_user("plain_template_agent", AGENT)
    assign(agent, sandbox_backed_merchant)
    log_in(page, live_server.url, agent.username)
    with page.expect_response(lambda answer: "/preview/" in answer.url):
        page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    page.wait_for_timeout(300)  # the preview's answer has been applied
    expect(page.get_by_test_id("composer").locator(".field-error")).to_have_count(0)
    field = page.locator("textarea[data-key=response_content]")
    field.fill("您好，")

    page.locator('[data-action="composer#insertTemplate"]').click()

    expected = f"您好，\n订单 {complaint.out_trade_no} 的退款已受理。\n预计 1–3 个工作日到账。"
    expect(field).to_have_value(expected)
    page.get_by_test_id("composer-send").click()
    page.get_by_test_id("confirm-send").click()
    (reply,) = wait_for_reply(sandbox, mchid, complaint_id, 1)
    assert reply["body"]["response_content"] == expected
