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
