"""End to end in real Chromium: compose a rich reply, reorder, upload, reload, send; stale guard;
a plain reply with an image; a draft saved on leaving.

The whole chain runs for real: the sandbox over HTTP, the console's complaint page, a Celery
worker delivering the reply, and the composer's Stimulus controllers.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from complaints.services.sync import complaint_refresh
from console.roles import AGENT
from tests.fixtures.users import make_user
from tests.messaging.composer_page import (
    SCREENSHOTS,
    add_block,
    compose_every_block,
    composer_content,
    drag_first_block_below_second,
    expected_errors,
    expected_message,
    log_in,
    no_page_errors,  # noqa: F401 (autouse: no unexpected page error)
    wait_for_reply,
    wait_for_saved,
)
from tests.messaging.conftest import PNG, assign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WORKER_MS = 30_000  # what waits on the worker's call to the sandbox, on a loaded machine


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
    expect(retry).to_be_visible(timeout=WORKER_MS)
    expect(page.locator("[data-item] .image-message.error")).to_be_visible()
    retry.click()
    media = page.locator("[data-item] input[data-key=value]")
    expect(media).not_to_have_value("", timeout=WORKER_MS)
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
