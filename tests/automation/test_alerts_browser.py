"""An agent on the queue page sees a new immediate-service complaint arrive with an alert,
without reloading: the sandbox notifies the live server's webhook, a real worker fetches the
complaint, and the page's alert area (polling) shows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from console.roles import AGENT
from merchants.services import wechatpay_client
from tests.automation.conftest import assign
from tests.fixtures.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fast_polling(settings):
    settings.AUTOMATION_ALERT_POLL_SECONDS = 1
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def test_agent_on_the_queue_sees_a_new_immediate_complaint_alert_without_reloading(
    live_server, page, sandbox, wired, celery_worker_process
):
    agent = make_user("queue_agent", AGENT)
    assign(agent, wired)
    bystander = make_user("bystander", AGENT)  # works for no merchant: must see nothing
    webhook = f"{live_server.url}/webhooks/wechatpay/{wired.mchid}/complaints"
    wechatpay_client(wired).create_notification_url(webhook)
    log_in(page, live_server, agent)
    page.goto(f"{live_server.url}/complaints/")
    title = page.title()
    page.evaluate("window.__notReloaded = true")

    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1, need_immediate_service=True)

    alert = page.get_by_test_id("alert").filter(has_text=complaint_id)
    expect(alert).to_be_visible(timeout=30_000)
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    assert page.evaluate("window.__notReloaded") is True
    assert title in page.title()

    alert.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/complaints/\d+/$"))
    expect(page.get_by_test_id("alert")).to_have_count(0)

    other = page.context.browser.new_page()
    log_in(other, live_server, bystander)
    other.goto(f"{live_server.url}/complaints/")
    other.wait_for_timeout(1500)
    expect(other.get_by_test_id("alert")).to_have_count(0)
    other.close()
