"""An agent on the queue page sees a new immediate-service complaint arrive with an alert,
without reloading: the sandbox notifies the live server's webhook, a real worker fetches the
complaint, and the page's alert area (live stream) shows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from automation.models import Alert
from automation.services import alerts_on_arrival
from console.roles import AGENT
from merchants.services import wechatpay_client
from tests.automation.conftest import assign, make_complaint
from tests.fixtures.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
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

    toast = page.get_by_test_id("alert-toast").filter(has_text=complaint_id)
    expect(toast).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("alerts-indicator-count")).to_have_text("1")
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    assert page.evaluate("window.__notReloaded") is True
    assert title in page.title()

    toast.get_by_test_id("alert-open").click()
    expect(page).to_have_url(re.compile(r"/complaints/\d+/$"))
    expect(page.get_by_test_id("alerts-count")).to_have_text("0")
    expect(page.get_by_test_id("alert")).to_have_count(0)

    other = page.context.browser.new_page()
    log_in(other, live_server, bystander)
    other.goto(f"{live_server.url}/complaints/")
    other.wait_for_timeout(1500)
    expect(other.get_by_test_id("alert")).to_have_count(0)
    other.close()


# --- the alerts stay out of the agent's way ----------------------------------------------


@pytest.fixture
def busy_agent(merchant):
    """An agent of the merchant with three unclaimed immediate-service complaints in the queue;
    `alert_busy_agent` makes their alerts arrive, the newest last."""
    agent = make_user("busy_agent", AGENT)
    assign(agent, merchant)
    agent.complaints_ = [make_complaint(merchant, need_immediate_service=True) for _ in range(3)]
    return agent


def alert_busy_agent(agent) -> None:
    for complaint in agent.complaints_:
        alerts_on_arrival(complaint=complaint, created=True)


def on_the_queue_when_three_alerts_arrive(page, live_server, agent) -> None:
    log_in(page, live_server, agent)
    page.goto(f"{live_server.url}/complaints/")
    expect(page.get_by_test_id("alerts-count")).to_have_text("0")  # polled once already
    alert_busy_agent(agent)
    expect(page.get_by_test_id("alerts-indicator-count")).to_have_text("3")


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_three_alerts_leave_every_claim_button_of_the_queue_clickable(
    live_server, page, busy_agent
):
    on_the_queue_when_three_alerts_arrive(page, live_server, busy_agent)

    expect(page).to_have_title(re.compile(r"^\(3\) "))
    toast = page.get_by_test_id("alert-toast")
    expect(toast).to_be_visible()  # one toast for the three, saying there are more
    expect(toast).to_contain_text(busy_agent.complaints_[-1].complaint_id)
    expect(toast.locator("[data-alerts-target=toastMore]")).to_be_visible()
    claims = page.get_by_test_id("queue-table").get_by_test_id("claim")
    expect(claims).to_have_count(3)
    toast_box = toast.bounding_box()
    for index in range(3):
        claim = claims.nth(index)
        claim.click(trial=True, timeout=2_000)  # fails if anything else would receive the click
        assert not overlaps(claim.bounding_box(), toast_box)
    assert page.get_by_test_id("alerts-panel").is_hidden()


def test_the_panel_lists_the_alerts_newest_first_and_dismiss_all_empties_it(
    live_server, page, busy_agent
):
    on_the_queue_when_three_alerts_arrive(page, live_server, busy_agent)
    indicator = page.get_by_test_id("alerts-indicator")

    indicator.click()

    expect(indicator).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_test_id("alert-toast")).to_be_hidden()  # the panel replaces it
    panel = page.get_by_test_id("alerts-panel")
    expect(panel).to_be_visible()
    title = panel.get_by_role("heading").inner_text()
    expect(page.get_by_role("region", name=title)).to_have_attribute("id", "alerts-panel")
    items = panel.get_by_test_id("alert")
    expect(items).to_have_count(3)
    newest_first = [c.complaint_id for c in reversed(busy_agent.complaints_)]
    for index, complaint_id in enumerate(newest_first):
        expect(items.nth(index)).to_contain_text(complaint_id)
        expect(items.nth(index).get_by_test_id("alert-open")).to_be_visible()
        expect(items.nth(index).get_by_test_id("alert-dismiss")).to_be_visible()

    panel.get_by_test_id("alerts-dismiss-all").click()

    expect(items).to_have_count(0)
    expect(panel.get_by_test_id("alerts-empty")).to_be_visible()
    expect(indicator.get_by_test_id("alerts-indicator-count")).to_be_hidden()
    expect(page).not_to_have_title(re.compile(r"^\(\d+\) "))
    assert not Alert.objects.filter(user=busy_agent, read_at=None).exists()


def test_the_panel_works_from_the_keyboard(live_server, page, busy_agent):
    on_the_queue_when_three_alerts_arrive(page, live_server, busy_agent)
    queue_url = page.url
    indicator = page.get_by_test_id("alerts-indicator")
    page.keyboard.press("j")  # a queue row is selected: Enter on the button must not open it

    indicator.focus()
    page.keyboard.press("Enter")

    panel = page.get_by_test_id("alerts-panel")
    expect(panel).to_be_visible()
    assert page.url == queue_url
    first = panel.get_by_test_id("alert").first
    first.get_by_test_id("alert-dismiss").focus()
    page.keyboard.press("Enter")  # dismiss the newest; focus moves to the next one's button
    expect(panel.get_by_test_id("alert")).to_have_count(2)
    expect(panel.get_by_test_id("alert").first.get_by_test_id("alert-dismiss")).to_be_focused()
    expect(indicator.get_by_test_id("alerts-indicator-count")).to_have_text("2")

    page.keyboard.press("Escape")

    expect(panel).to_be_hidden()
    expect(indicator).to_have_attribute("aria-expanded", "false")
    expect(indicator).to_be_focused()
    assert Alert.objects.filter(user=busy_agent, read_at=None).count() == 2


def test_the_toast_waits_while_hovered_then_folds_into_the_button(live_server, page, busy_agent):
    on_the_queue_when_three_alerts_arrive(page, live_server, busy_agent)
    toast = page.get_by_test_id("alert-toast")
    expect(toast).to_be_visible()
    expect(page.get_by_role("status").filter(has=toast)).to_have_count(1)  # announced

    toast.hover()
    page.wait_for_timeout(9_000)  # longer than the toast's 8 seconds
    expect(toast).to_be_visible()
    page.mouse.move(10, 400)

    expect(toast).to_be_hidden(timeout=10_000)
    expect(page.get_by_test_id("alerts-indicator-count")).to_have_text("3")
    page.reload()  # seen alerts do not toast again on the next page
    expect(page.get_by_test_id("alerts-indicator-count")).to_have_text("3")
    page.wait_for_timeout(1_500)
    expect(toast).to_be_hidden()


# The browser's Notification API, recorded: headless Chromium shows no notifications to check.
RECORD_NOTIFICATIONS = """
window.__notes = [];
window.Notification = class {
  static permission = sessionStorage.getItem("test-permission") || "default";
  static async requestPermission() { return Notification.permission; }
  constructor(title, options) { window.__notes.push({ title, ...options }); }
};
"""


def test_each_new_alert_still_raises_one_browser_notification(live_server, page, busy_agent):
    page.add_init_script(RECORD_NOTIFICATIONS)
    log_in(page, live_server, busy_agent)
    page.goto(f"{live_server.url}/complaints/")
    page.get_by_test_id("alerts-indicator").click()
    expect(page.get_by_test_id("alerts-enable-notifications")).to_be_visible()  # in the panel
    page.evaluate("sessionStorage.setItem('test-permission', 'granted')")
    page.reload()
    expect(page.get_by_test_id("alerts-enable-notifications")).to_be_hidden()

    alert_busy_agent(busy_agent)

    expect(page.get_by_test_id("alerts-indicator-count")).to_have_text("3")
    notes = page.evaluate("window.__notes")
    assert sorted(note["tag"] for note in notes) == sorted(
        f"alert-{pk}" for pk in Alert.objects.filter(user=busy_agent).values_list("pk", flat=True)
    )
    ids = {c.complaint_id for c in busy_agent.complaints_}
    assert {note["body"].split(" · ")[0] for note in notes} == ids
    page.reload()
    expect(page.get_by_test_id("alerts-count")).to_have_text("3")
    assert page.evaluate("window.__notes") == []  # already notified in this session


def test_an_alert_clears_on_its_own_when_a_colleague_claims_the_complaint(
    live_server, page, busy_agent, merchant
):
    on_the_queue_when_three_alerts_arrive(page, live_server, busy_agent)
    colleague = make_user("colleague", AGENT)
    assign(colleague, merchant)
    claimed = busy_agent.complaints_[0]
    other = page.context.browser.new_page()  # another person, another browser
    log_in(other, live_server, colleague)
    other.goto(f"{live_server.url}/complaints/")

    other.locator(f"#row-{claimed.pk}").get_by_test_id("claim").click()
    expect(other.locator(f"#row-{claimed.pk}").get_by_test_id("assignee")).to_be_visible()

    expect(page.get_by_test_id("alerts-indicator-count")).to_have_text("2")
    expect(page).to_have_title(re.compile(r"^\(2\) "))
    page.get_by_test_id("alerts-indicator").click()
    items = page.get_by_test_id("alerts-panel").get_by_test_id("alert")
    expect(items).to_have_count(2)
    expect(items.filter(has_text=claimed.complaint_id)).to_have_count(0)
    other.close()


def test_an_alert_clears_when_the_complaint_is_answered_from_another_tab(
    live_server, page, busy_agent
):
    from tests.messaging.composer_page import add_block

    on_the_queue_when_three_alerts_arrive(page, live_server, busy_agent)
    answered = busy_agent.complaints_[0]
    tab = page.context.new_page()  # the same agent, a second tab
    with tab.expect_response(lambda answer: "/preview/" in answer.url):
        tab.goto(f"{live_server.url}/complaints/{answered.pk}/")
    add_block(tab, "TEXT").locator("textarea").fill("您好，我们正在处理。")
    tab.get_by_test_id("composer-send").click()
    tab.get_by_test_id("confirm-send").click()
    expect(tab.get_by_test_id("reply-queued")).to_be_visible()

    # The first tab, untouched: its badge, title and list follow.
    expect(page.get_by_test_id("alerts-indicator-count")).to_have_text("2")
    expect(page).to_have_title(re.compile(r"^\(2\) "))
    page.get_by_test_id("alerts-indicator").click()
    items = page.get_by_test_id("alerts-panel").get_by_test_id("alert")
    expect(items).to_have_count(2)
    expect(items.filter(has_text=answered.complaint_id)).to_have_count(0)
    tab.close()
