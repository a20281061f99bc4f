"""static/js/live.js in real Chromium, at its edges: an event that reaches content htmx has not
set up yet is not lost (it once left the element waiting for a read that never came, and every
later event of it was dropped too), and a live part's event does not re-read the parts around it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from console import events
from tests.complaints.conftest import assign, make_complaint, make_merchant
from tests.factories import sign_in_browser
from tests.fixtures.users import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def opened(live_server, page, transactional_db):
    """A complaint page, signed in, with its live stream up."""
    merchant = make_merchant()
    agent = make_user("live_js", "agent")
    assign(agent, merchant)
    sign_in_browser(page, live_server.url, agent)
    complaint = make_complaint(merchant)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    expect(page.locator("body")).to_have_attribute("data-live-state", "live")
    page.evaluate(
        "document.addEventListener('live:change', (e) => {"
        " document.body.dataset.heard = `${document.body.dataset.heard || ''} ${e.detail.kind}` })"
    )
    return complaint


def add_probe(page, complaint, *, parent_live: bool = False) -> None:
    """Append content as a swap would, before htmx has processed it: a part that re-reads the
    complaint's timeline on note.added (inside a wrapper that re-reads on "live" itself)."""
    page.evaluate(
        """([pk, parentLive]) => {
          const wrapper = document.createElement("div");
          wrapper.id = "probe-wrapper";
          if (parentLive) {
            wrapper.setAttribute("hx-get", `/complaints/${pk}/timeline/?wrapper=1`);
            wrapper.setAttribute("hx-trigger", "live");
          }
          wrapper.innerHTML = `<div id="probe" hx-get="/complaints/${pk}/timeline/"
            hx-trigger="live" hx-swap="innerHTML" data-live="note.added"
            data-live-complaint="${pk}">empty</div>`;
          document.querySelector("main").append(wrapper);
        }""",
        [complaint.pk, parent_live],
    )


def note_added(page, complaint) -> None:
    events.announce(events.NOTE_ADDED, merchant_id=complaint.merchant_id, complaint_id=complaint.pk)
    expect(page.locator("body")).to_have_attribute("data-heard", re.compile("note.added"))


def test_an_event_before_htmx_set_the_content_up_is_read_once_it_has(page, opened):
    add_probe(page, opened)
    note_added(page, opened)  # reaches the probe while it has no htmx listener
    expect(page.locator("#probe")).to_have_text("empty")

    page.evaluate("window.htmx.process(document.getElementById('probe-wrapper'))")

    expect(page.locator("#probe")).not_to_have_text("empty")
    page.evaluate("document.getElementById('probe').innerHTML = 'read'")
    page.evaluate("delete document.body.dataset.heard")
    note_added(page, opened)  # and it keeps following later events
    expect(page.locator("#probe")).not_to_have_text("read")


def test_a_live_part_re_reads_alone(page, opened):
    reads = []
    page.on("request", lambda r: "/timeline/" in r.url and reads.append(r.url))
    add_probe(page, opened, parent_live=True)
    page.evaluate("window.htmx.process(document.getElementById('probe-wrapper'))")

    note_added(page, opened)

    expect(page.locator("#probe")).not_to_have_text("empty")
    assert not [url for url in reads if "wrapper=1" in url]
