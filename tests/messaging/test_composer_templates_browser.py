"""End to end in real Chromium: reply templates in the composer. A supervisor's template is
inserted at the cursor with its variables filled, keeps a button's action id and custom data, and
gives its text to a plain reply.

The whole chain runs for real: the sandbox over HTTP, the console's complaint page, a Celery
worker delivering the reply, and the composer's Stimulus controllers.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from complaints.services.sync import complaint_refresh
from console.roles import AGENT
from tests.fixtures.users import make_user
from tests.messaging.composer_page import (
    SCREENSHOTS,
    add_block,
    composer_content,
    log_in,
    no_page_errors,  # noqa: F401 (autouse: no unexpected page error)
    wait_for_reply,
)
from tests.messaging.conftest import assign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
