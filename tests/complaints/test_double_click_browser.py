"""In real Chromium: the detail page's plain forms and the queue's htmx actions give one outcome
when double-clicked (the composer's send has its own tests in tests/messaging)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from complaints.models import TimelineEvent
from tests.complaints.conftest import assign, make_complaint
from tests.complaints.test_live_browser import log_in
from tests.fixtures.users import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_clicked_note_is_added_once(live_server, page, merchant):
    assign(make_user("twice_agent", "agent"), merchant)
    complaint = make_complaint(merchant)
    log_in(page, live_server.url, "twice_agent")
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    form = page.locator(f"form[action='/complaints/{complaint.pk}/notes/']")
    form.locator("textarea").fill("已电话联系用户")
    form.get_by_role("button").dblclick()

    expect(page.get_by_test_id("console-event").filter(has_text="已电话联系用户")).to_have_count(1)
    notes = TimelineEvent.objects.filter(complaint=complaint, kind=TimelineEvent.Kind.NOTE)
    assert notes.count() == 1


def test_a_double_clicked_claim_is_sent_once(live_server, page, merchant):
    assign(make_user("twice_claimer", "agent"), merchant)
    complaint = make_complaint(merchant)
    log_in(page, live_server.url, "twice_claimer")
    page.goto(f"{live_server.url}/complaints/")
    claims_sent: list[str] = []
    page.on("request", lambda r: claims_sent.append(r.url) if "/claim/" in r.url else None)
    page.locator(f"#row-{complaint.pk}").get_by_test_id("claim").dblclick()

    row = page.locator(f"#row-{complaint.pk}")
    expect(row.get_by_test_id("assignee")).to_contain_text("twice_claimer")
    assert len(claims_sent) == 1
    claims = TimelineEvent.objects.filter(complaint=complaint, kind=TimelineEvent.Kind.CLAIMED)
    assert claims.count() == 1
