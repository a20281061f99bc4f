"""In real Chromium: an agent filters immediate-service complaints, claims one, and sees a second
agent's presence on it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.complaints.conftest import assign, make_complaint
from tests.fixtures.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator(".login-card button[type=submit]").click()
    expect(page.get_by_test_id("whoami")).to_contain_text(username)


def test_agent_filters_claims_and_sees_a_colleague_on_the_complaint(
    live_server, page, browser, merchant
):
    first, second = make_user("agent_a", "agent"), make_user("agent_b", "agent")
    for user in (first, second):
        assign(user, merchant)
    urgent = make_complaint(merchant, need_immediate_service=True)
    ordinary = make_complaint(merchant)

    log_in(page, live_server.url, "agent_a")
    page.goto(f"{live_server.url}/complaints/")
    expect(page.get_by_test_id("queue-row")).to_have_count(2)
    page.locator("[data-testid=queue-views] [data-view=immediate]").click()
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(urgent.complaint_id)
    expect(page.get_by_text(ordinary.complaint_id)).to_have_count(0)

    # Keyboard: j selects the row, c claims it (the row's claim button, through htmx).
    page.keyboard.press("j")
    expect(rows.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("c")
    expect(rows.first.get_by_test_id("assignee")).to_have_text("agent_a")

    colleague = browser.new_context(viewport={"width": 1280, "height": 720})
    other = colleague.new_page()
    try:
        log_in(other, live_server.url, "agent_b")
        other.goto(f"{live_server.url}/complaints/{urgent.pk}/")

        # The colleague shows on the queue row and on the complaint page.
        page.reload()
        expect(page.get_by_test_id("row-presence")).to_contain_text("agent_b")
        page.keyboard.press("j")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server.url}/complaints/{urgent.pk}/")
        expect(page.get_by_test_id("presence")).to_contain_text("agent_b")
        expect(page.get_by_test_id("detail-assignee")).to_contain_text("agent_a")
        # ... and the colleague sees the first agent at their next heartbeat (every 10 s).
        expect(other.get_by_test_id("presence")).to_contain_text("agent_a", timeout=30_000)
    finally:
        colleague.close()


# Counts the rows swapped into the queue that show no search hit.
LOST_HITS_WATCH = """() => {
  window.__lostHits = 0; window.__rowsSeen = 0;
  new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) {
      if (node.nodeType !== 1 || !node.matches("[data-testid=queue-row]")) continue;
      window.__rowsSeen += 1;
      if (!node.querySelector("[data-testid=search-hit]")) window.__lostHits += 1;
    }
  }).observe(document.getElementById("queue-rows"), {childList: true});
}"""


def test_agent_searches_in_chinese_and_sees_where_the_word_was_found(live_server, page, merchant):
    from complaints.services import complaint_release, note_add

    agent = make_user("agent_s", "agent")
    assign(agent, merchant)
    in_note = make_complaint(merchant, complaint_detail="客服不理人", problem_description="")
    note_add(complaint=in_note, author=agent, text="用户说被<b>扣款</b>两次")
    make_complaint(merchant, complaint_detail="外卖没送到", problem_description="")

    log_in(page, live_server.url, "agent_s")
    page.goto(f"{live_server.url}/complaints/")
    page.locator("#id_q").fill("扣款")
    page.locator("#id_q").press("Enter")

    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(1)
    hit = rows.first.get_by_test_id("search-hit")
    expect(hit).to_have_attribute("data-where", "note")
    expect(hit.locator("mark")).to_have_text("扣款")
    expect(hit).to_contain_text("用户说被<b>")  # shown as text, not markup
    expect(page.locator("#id_q")).to_have_value("扣款")

    # Claiming re-renders the row: where the word was found stays, at every moment (a live
    # re-read of the rows, which follows the claim, would only put it back).
    expect(page.locator("body")).to_have_attribute("data-live-state", "live")
    page.evaluate(LOST_HITS_WATCH)
    page.keyboard.press("j")
    page.keyboard.press("c")
    expect(rows.first.get_by_test_id("assignee")).to_have_text("agent_s")
    expect(rows.first.get_by_test_id("search-hit").locator("mark")).to_have_text("扣款")
    assert page.evaluate("window.__rowsSeen") >= 1
    assert page.evaluate("window.__lostHits") == 0
    # So does a live re-read of the rows (released elsewhere: the claim button is back).
    complaint_release(complaint_pk=in_note.pk, user=agent)
    expect(rows.first.get_by_test_id("claim")).to_be_visible()
    expect(rows.first.get_by_test_id("search-hit").locator("mark")).to_have_text("扣款")
