"""In real Chromium, no reloads: an agent refunds from the complaint page and watches the refund
arrive (worker → sandbox → signed REFUND.SUCCESS → webhook → live event); a supervisor approves a
refund waiting above the agent's limit from the approval queue."""

from __future__ import annotations

import pytest
from django.db import close_old_connections
from playwright.sync_api import expect

from refunds.models import Refund
from tests.fixtures.users import PASSWORD
from tests.refunds.conftest import ask
from tests.refunds.e2e import sandbox_order_complaint, worker_env

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WAIT_MS = 30_000  # the worker's calls to the sandbox, on a loaded machine


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False


@pytest.fixture
def worker(monkeypatch, live_server, start_worker):
    worker_env(monkeypatch, live_server)
    return start_worker()


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator(".login-card button[type=submit]").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def test_an_agent_refunds_from_the_complaint_page_and_sees_it_arrive(
    live_server, page, sandbox, wired, staff, worker
):
    complaint = sandbox_order_complaint(sandbox, wired, amount=3000)
    log_in(page, live_server.url, staff["agent"].username)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    page.evaluate("window.__notReloaded = true")

    panel = page.get_by_test_id("refunds")
    # The order is read by a task and the panel re-reads itself when it is in.
    expect(panel.get_by_test_id("order-paid")).to_contain_text("30.00", timeout=WAIT_MS)
    expect(panel.get_by_test_id("order-trade-state")).not_to_contain_text("…", timeout=WAIT_MS)
    amount = panel.locator("input[name=amount]")
    expect(amount).to_have_value("30.00")
    amount.fill("12.50")
    panel.locator("input[name=reason]").fill("商品未送达")
    panel.get_by_test_id("refund-submit").click()

    row = page.get_by_test_id("refund-row")
    expect(row).to_have_count(1, timeout=WAIT_MS)
    expect(row).to_have_attribute("data-status", "success", timeout=WAIT_MS)
    expect(panel.get_by_test_id("order-refundable")).to_contain_text("17.50", timeout=WAIT_MS)
    expect(page.locator("[data-kind=refund_succeeded]")).to_have_count(1, timeout=WAIT_MS)
    assert page.evaluate("window.__notReloaded") is True
    close_old_connections()
    (refund,) = Refund.objects.filter(complaint=complaint)
    assert (refund.amount, refund.status) == (1250, Refund.Status.SUCCESS)
    assert len(sandbox.control.refunds(out_refund_no=refund.out_refund_no)) == 1


def test_a_supervisor_approves_a_refund_waiting_above_the_limit(
    live_server, page, sandbox, wired, staff, worker
):
    complaint = sandbox_order_complaint(sandbox, wired, amount=9000)
    refund = ask(complaint, staff["agent"], 9000)  # above the agent's 50.00 per refund
    assert refund.status == Refund.Status.AWAITING_APPROVAL
    log_in(page, live_server.url, staff["supervisor"].username)
    page.goto(f"{live_server.url}/refunds/approvals/")

    row = page.get_by_test_id("approval-row").filter(has_text=complaint.complaint_id)
    expect(row).to_be_visible()
    row.get_by_test_id("approve").click()
    expect(page.get_by_test_id("approval-row")).to_have_count(0, timeout=WAIT_MS)

    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    row = page.get_by_test_id("refund-row")
    expect(row).to_have_attribute("data-status", "success", timeout=WAIT_MS)
    close_old_connections()
    refund.refresh_from_db()
    assert refund.decided_by == staff["supervisor"]
    assert len(sandbox.control.refunds(out_refund_no=refund.out_refund_no)) == 1
