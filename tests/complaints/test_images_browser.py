"""In real Chromium, no reloads: a complaint image fetched by the worker replaces its placeholder
on the open page (live event -> images fragment), and a failed fetch is retried from the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from complaints.services import complaint_refresh
from tests.complaints.conftest import assign
from tests.complaints.test_live_browser import WAIT_MS, log_in
from tests.fixtures.users import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMAGES = "/v3/merchant-service/images/"


def open_complaint(page, live_server, sandbox, wired):
    agent = make_user("image_agent", "agent")
    assign(agent, wired)
    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1)
    complaint = complaint_refresh(merchant=wired, complaint_id=complaint_id)
    log_in(page, live_server.url, agent.username)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    page.evaluate("window.__notReloaded = true")
    return complaint


def test_the_fetched_image_replaces_its_placeholder_without_a_reload(
    live_server, page, sandbox, wired, start_worker
):
    complaint = open_complaint(page, live_server, sandbox, wired)
    count = complaint.images.count()
    expect(page.get_by_test_id("complaint-image-pending")).to_have_count(count)

    start_worker()  # only now: the fetches were queued when the page was opened

    images = page.get_by_test_id("complaint-image")
    expect(images).to_have_count(count, timeout=WAIT_MS)
    expect(page.get_by_test_id("complaint-image-pending")).to_have_count(0)
    expect(images.first).to_be_visible()
    expect(images.first).to_have_js_property("complete", True, timeout=WAIT_MS)  # loads after
    assert images.first.evaluate("img => img.naturalWidth > 0")  # and it is a real image
    assert page.evaluate("window.__notReloaded") is True


def test_a_failed_image_is_fetched_again_from_the_page(
    live_server, page, sandbox, wired, start_worker
):
    start_worker()
    sandbox.control.set_faults({"mode": "system_error", "path_prefix": IMAGES})
    complaint = open_complaint(page, live_server, sandbox, wired)
    failed = page.get_by_test_id("complaint-image-failed")
    expect(failed).to_have_count(complaint.images.count(), timeout=WAIT_MS)
    sandbox.control.clear_faults()

    failed.first.get_by_role("button").click()

    expect(page.get_by_test_id("complaint-image")).to_have_count(1, timeout=WAIT_MS)
    assert page.evaluate("window.__notReloaded") is True
