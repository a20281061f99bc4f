"""In real Chromium at 1280×720, in Chinese: a plain complaint's page shows the facts beside the
negotiation history as a timeline list (opened at the newest entry), and gives the reply composer
the full width with the phone preview beside the editor. Screenshots go to artifacts/ for review.
(Immediate-service complaints read as a conversation instead: test_conversation_browser.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.complaints.conftest import assign, make_complaint, make_history, make_reply
from tests.complaints.test_queue_browser import log_in
from tests.fixtures.users import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ORDER = {"transaction_id": "4200000001202603011234567890", "out_trade_no": "OT1", "amount": 19900}


def box(locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not laid out"
    return found


def test_the_composer_gets_the_width_and_the_history_opens_at_the_newest(
    live_server, page, merchant
):
    agent = make_user("agent_layout", "agent")
    assign(agent, merchant)
    complaint = make_complaint(
        merchant,
        need_immediate_service=False,
        problem_type="REFUND",
        apply_refund_amount=19900,
        complaint_order_info=[ORDER],
        amount=19900,
    )
    history = make_history(complaint, 16)
    make_reply(complaint, agent)

    log_in(page, live_server.url, "agent_layout")
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    expect(page.locator("#reply .phone")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "complaint-detail-1280x720-top.png"))

    # Above the fold: the facts, and the history, a timeline list, scrolled to its newest entry.
    expect(page.get_by_test_id("timeline")).to_be_visible()
    expect(page.get_by_test_id("conversation")).to_have_count(0)
    entries = page.get_by_test_id("history-entry")
    expect(page.get_by_test_id("state")).to_be_in_viewport()
    expect(entries.filter(has_text=history[-1].operate_details)).to_be_in_viewport()
    expect(entries.filter(has_text=history[0].operate_details)).not_to_be_in_viewport()
    facts, scroller = box(page.locator(".detail-facts")), box(page.get_by_test_id("history-scroll"))
    assert facts["x"] + facts["width"] <= scroller["x"] and scroller["width"] > facts["width"]

    # The composer spans the content width, the phone preview beside the editor.
    page.keyboard.press("r")  # the page's shortcut to the composer
    page.screenshot(path=str(ARTIFACTS / "complaint-detail-1280x720-composer.png"))
    reply, content = box(page.locator("#reply")), box(page.locator("main, .page").first)
    assert reply["width"] >= 0.9 * content["width"] - 40
    editor, preview = box(page.locator(".composer-editor")), box(page.locator(".composer-preview"))
    assert preview["x"] >= editor["x"] + editor["width"]
    assert preview["y"] < editor["y"] + editor["height"]
    assert editor["width"] >= 700
    expect(page.locator("#reply-title")).to_be_in_viewport()  # not under the sticky top bar
    heading = box(page.locator("#reply-title"))
    assert heading["y"] >= box(page.locator(".topbar"))["height"]
