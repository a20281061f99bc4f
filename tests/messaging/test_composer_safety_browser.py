"""In real Chromium: a double click sends once and shows one outcome, a cut paste is announced,
an unfilled template variable cannot be sent, and a seven-block message stays compact."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from complaints.services.sync import complaint_refresh
from console.roles import AGENT, SUPERVISOR
from messaging.models import Draft, Reply, ReplyTemplate
from tests.fixtures.users import make_user
from tests.messaging.composer_page import (  # noqa: F401 (the fixtures)
    SCREENSHOTS,
    add_block,
    compose_every_block,
    composer_content,
    log_in,
    no_page_errors,
    wait_for_reply,
    wait_for_saved,
)
from tests.messaging.conftest import assign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_COMPOSER_HEIGHT_PX = 2500


def sandbox_complaint(sandbox, merchant, *, immediate: bool):
    (complaint_id,) = sandbox.control.create_complaints(
        merchant.mchid, 1, need_immediate_service=immediate, problem_type="SERVICE_NOT_WORK"
    )
    return complaint_refresh(merchant=merchant, complaint_id=complaint_id)


@pytest.fixture
def plain_complaint(sandbox, sandbox_backed_merchant):
    return sandbox_complaint(sandbox, sandbox_backed_merchant, immediate=False)


@pytest.fixture
def rich_complaint(sandbox, sandbox_backed_merchant):
    """Needs immediate service (answered with NormalMessage); no refund amount."""
    return sandbox_complaint(sandbox, sandbox_backed_merchant, immediate=True)


def open_as_agent(page: Page, live_server, merchant, complaint) -> None:
    agent = make_user("safety_agent", AGENT)
    assign(agent, merchant)
    log_in(page, live_server.url, agent.username)
    with page.expect_response(lambda answer: "/preview/" in answer.url):
        page.goto(f"{live_server.url}/complaints/{complaint.pk}/")


def test_double_clicks_on_send_deliver_one_reply_and_show_one_outcome(
    live_server, page, sandbox, sandbox_backed_merchant, plain_complaint, start_worker
):
    start_worker()
    open_as_agent(page, live_server, sandbox_backed_merchant, plain_complaint)
    field = page.locator("textarea[data-key=response_content]")
    field.fill("您好，退款已处理。")
    wait_for_saved(page)

    page.get_by_test_id("composer-send").dblclick()  # "Review and send…"
    expect(page.get_by_test_id("confirm-dialog")).to_have_count(1)
    page.get_by_test_id("confirm-send").dblclick()

    expect(page.get_by_test_id("reply-queued")).to_be_visible()
    expect(page.get_by_test_id("confirm-dialog")).to_have_count(0)
    expect(field).to_have_value("")  # the draft is cleared on the page
    expect(page.get_by_test_id("reply-attempt")).to_have_count(1, timeout=5_000)
    status = page.get_by_test_id("reply-attempt").get_by_test_id("reply-status")
    expect(status).to_have_attribute("data-status", "delivered", timeout=15_000)
    (reply,) = wait_for_reply(
        sandbox, sandbox_backed_merchant.mchid, plain_complaint.complaint_id, 1
    )
    assert reply["body"]["response_content"] == "您好，退款已处理。"
    assert Reply.objects.filter(complaint=plain_complaint).count() == 1
    assert not Draft.objects.filter(complaint=plain_complaint).exists()
    # The notice does not freeze a status ("queued") that the timeline shows moving on.
    expect(page.get_by_test_id("reply-queued")).not_to_contain_text("排队")


def test_a_paste_longer_than_the_limit_says_what_was_cut(
    live_server, page, sandbox_backed_merchant, plain_complaint
):
    open_as_agent(page, live_server, sandbox_backed_merchant, plain_complaint)
    field = page.locator("textarea[data-key=response_content]")
    pasted = "退" * 500 + "这一段放不下了" + "款" * 93  # 600 characters
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", pasted)

    field.focus()
    page.keyboard.press("Control+V")

    expect(field).to_have_value("退" * 500)
    note = page.get_by_test_id("paste-cut")
    expect(note).to_contain_text("粘贴的 600 个字符只放得下 500 个（微信支付最多接受 500 个）")
    expect(note).to_contain_text("这一段放不下了")
    expect(page.locator("[data-composer-target=counter]")).to_have_text("500 / 500")
    expect(page.get_by_test_id("composer-preview")).to_contain_text("退退退")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("composer").screenshot(
        path=str(SCREENSHOTS / "composer-plain-paste-cut-zh-hans.png")
    )


def test_block_fields_take_their_limits_from_the_schema_and_a_cut_paste_is_announced(
    live_server, page, settings, sandbox_backed_merchant, rich_complaint
):
    settings.MESSAGE_LIMITS = {"button_text_max_chars": 6}  # the limits in force reach the page
    open_as_agent(page, live_server, sandbox_backed_merchant, rich_complaint)
    group = add_block(page, "BUTTON_GROUP")
    group.locator('[data-action="composer#addItem"]').click()
    second = group.locator("[data-item]").nth(1).locator("input[data-key=text]").first
    expect(second).to_have_attribute("maxlength", "6")
    expect(group.locator("input[data-key=jump_url]").first).to_have_attribute("maxlength", "512")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", "查看退款进度详情")

    second.focus()
    page.keyboard.press("Control+V")

    expect(second).to_have_value("查看退款进度")
    note = page.get_by_test_id("paste-cut")
    # The console's own limit, not WeChat Pay's: the note does not blame WeChat Pay for it.
    expect(note).to_contain_text("粘贴的 8 个字符只放得下 6 个（此处最多 6 个）")
    expect(note).to_contain_text("详情")
    buttons = composer_content(page)["blocks"][0]["button_group"]["buttons"]
    assert [button["text"] for button in buttons] == ["查看退款进度"]


def test_the_template_editor_has_the_same_limits_and_paste_note(live_server, page, merchant):
    supervisor = make_user("limits_supervisor", SUPERVISOR)
    assign(supervisor, merchant)
    log_in(page, live_server.url, supervisor.username)
    page.goto(f"{live_server.url}/messaging/templates/new/{merchant.pk}/")
    link = add_block(page, "LINK").locator("input[data-key=text]").first
    expect(link).to_have_attribute("maxlength", "50")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", "查" * 50 + "看订单")

    link.focus()
    page.keyboard.press("Control+V")

    expect(link).to_have_value("查" * 50)
    expect(page.get_by_test_id("paste-cut")).to_contain_text(
        "粘贴的 53 个字符只放得下 50 个（此处最多 50 个）。未粘贴的部分：“看订单”"
    )


def test_an_unfilled_template_variable_is_a_gap_and_cannot_be_sent(
    live_server, page, sandbox_backed_merchant, rich_complaint
):
    ReplyTemplate.objects.create(
        merchant=sandbox_backed_merchant,
        name="退款金额",
        blocks=[
            {"type": "TEXT", "text": {"text": "您好。"}},
            {"type": "TEXT", "text": {"text": "退款 {{ refund_amount }} 元将原路退回。"}},
        ],
    )
    open_as_agent(page, live_server, sandbox_backed_merchant, rich_complaint)

    page.locator('[data-action="composer#insertTemplate"]').click()

    gap = page.get_by_test_id("composer-preview").locator("mark.nm-gap")
    expect(gap).to_have_text("{{ refund_amount }}")
    second = page.locator("[data-block]").nth(1)
    expect(second.locator("textarea")).to_have_attribute("aria-invalid", "true")
    expect(second.locator(".field-error")).to_contain_text("模板变量 {{ refund_amount }}")
    page.get_by_test_id("composer-send").click()
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog.get_by_test_id("confirm-errors")).to_have_text(
        "第 2 块·文本：模板变量 {{ refund_amount }} 在这里没有值：请改成要发送的文字。"
    )
    expect(dialog.get_by_test_id("confirm-send")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "composer-unfilled-variable-zh-hans.png"))
    assert not Reply.objects.exists()


def test_an_untouched_question_does_not_block_sending_and_a_question_sends_itself(
    live_server, page, sandbox_backed_merchant, rich_complaint
):
    open_as_agent(page, live_server, sandbox_backed_merchant, rich_complaint)
    faqs = add_block(page, "FAQ_LIST")
    faqs.locator('[data-action="composer#addItem"]').click()  # the first entry stays empty
    faqs.locator("[data-item]").nth(1).locator("input[data-key=faq_title]").fill("多久到账？")

    send = {"action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"content": "多久到账？"}}
    assert composer_content(page)["blocks"] == [
        {"type": "FAQ_LIST", "faq_list": {"faqs": [{"faq_title": "多久到账？", "action": send}]}}
    ]
    page.get_by_test_id("composer-send").click()
    expect(page.get_by_test_id("confirm-send")).to_be_visible()


def test_a_link_error_is_placed_on_its_folded_field_and_named_by_block(
    live_server, page, sandbox_backed_merchant, rich_complaint
):
    open_as_agent(page, live_server, sandbox_backed_merchant, rich_complaint)
    add_block(page, "TEXT").locator("textarea").fill("您好")
    link = add_block(page, "LINK")
    link.locator("input[data-key=text]").first.fill("查看")
    link.locator("select[data-key=action_type]").select_option("ACTION_TYPE_JUMP_URL")
    link.locator("input[data-key=jump_url]").fill("http://shop.example/1")
    expect(link.locator("input[data-key=jump_url]")).to_have_attribute("aria-invalid", "true")
    expect(link.locator(".field-error")).to_have_text("须为以 https:// 开头的 HTTPS 链接。")

    page.get_by_test_id("composer-send").click()
    expect(page.get_by_test_id("confirm-errors")).to_have_text(
        "第 2 块·链接·链接（HTTPS）：须为以 https:// 开头的 HTTPS 链接。"
    )


def test_a_seven_block_message_stays_compact_in_both_languages(
    live_server, page, sandbox_backed_merchant, rich_complaint, start_worker
):
    start_worker()  # the image block's upload to WeChat Pay is a task
    open_as_agent(page, live_server, sandbox_backed_merchant, rich_complaint)
    compose_every_block(page)
    add_block(page, "TEXT").locator("textarea").fill("如有疑问，请随时联系我们。")
    # Folded again, as an agent leaves them once set (the values stay and are sent).
    page.locator("details[data-options][open]").evaluate_all(
        "all => all.forEach(details => { details.open = false; })"
    )
    expect(page.locator("[data-block]")).to_have_count(7)
    wait_for_saved(page)
    composer = page.get_by_test_id("composer")
    # Icons are drawn, not font glyphs that may be missing (the duplicate icon showed as a box).
    expect(page.locator('[data-action="composer#duplicate"] svg')).to_have_count(7)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    for language, button in (("zh-hans", "简体中文"), ("en", "English")):
        if language == "en":
            page.get_by_role("button", name=button).click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("[data-block]")).to_have_count(7)
        height = composer.bounding_box()["height"]
        assert height < MAX_COMPOSER_HEIGHT_PX, f"{language}: the composer is {height:.0f} px tall"
        composer.scroll_into_view_if_needed()
        page.mouse.wheel(0, 600)  # the preview stays in view while the editor scrolls
        expect(page.get_by_test_id("composer-preview")).to_be_in_viewport()
        page.screenshot(path=str(SCREENSHOTS / f"composer-page-{language}.png"), full_page=True)
        # The whole composer at once (a window as tall as the page down to its end, scrolled to
        # the top: no sticky bar across the picture).
        page.evaluate("window.scrollTo(0, 0)")
        bottom = composer.bounding_box()["y"] + height
        page.set_viewport_size({"width": 1280, "height": int(bottom) + 40})
        composer.screenshot(path=str(SCREENSHOTS / f"composer-seven-blocks-{language}.png"))
        page.set_viewport_size({"width": 1280, "height": 720})
