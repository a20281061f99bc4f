"""In real Chromium, the refund panel follows the order live: a re-read while the agent fills in
the refund form changes the order's facts and leaves the form alone (the live status part's
re-read once bubbled up to the whole panel, resetting the amount to the full balance), and an
order read while the panel itself was loading still reaches it."""

from __future__ import annotations

import re
import time

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from console import events
from refunds.models import OrderSnapshot
from tests.factories import sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_order_re_read_keeps_what_the_agent_typed(live_server, page, complaint, people):
    snapshot = OrderSnapshot.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        status="fresh",
        trade_state="SUCCESS",
        total=10000,
        fetched_at=timezone.now(),
    )
    sign_in_browser(page, live_server.url, people["agent"])
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    expect(page.locator("body")).to_have_attribute("data-live-state", "live")
    form = page.get_by_test_id("refund-create-form")
    form.locator("input[name=amount]").fill("12.50")
    form.locator("input[name=reason]").fill("商品未送达")
    panel_reads = []
    page.on("request", lambda r: "/panel" in r.url and panel_reads.append(r.url))

    snapshot.trade_state = "REFUND"  # WeChat Pay's answer changed meanwhile
    snapshot.save(update_fields=["trade_state"])
    events.announce(
        events.ORDER_CHANGED, merchant_id=complaint.merchant_id, complaint_id=complaint.pk
    )

    expect(page.get_by_test_id("order-trade-state")).to_contain_text("转入退款")
    assert panel_reads and all("part=status" in url for url in panel_reads), panel_reads
    expect(form.locator("input[name=amount]")).to_have_value("12.50")
    expect(form.locator("input[name=reason]")).to_have_value("商品未送达")


def test_an_order_read_while_the_panel_loads_reaches_it(live_server, page, complaint, people):
    """The order arrives between the panel's render and its arrival in the page: the event found
    nothing to tell then; the panel's live part re-reads when it lands."""
    snapshot = OrderSnapshot.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        status="fetching",
        requested_at=timezone.now(),
    )

    def order_arrives_meanwhile(route):
        rendered = route.fetch()  # the panel as it is now: still fetching
        snapshot.status, snapshot.trade_state = "fresh", "SUCCESS"
        snapshot.total, snapshot.fetched_at = 10000, timezone.now()
        snapshot.save()
        events.announce(
            events.ORDER_CHANGED, merchant_id=complaint.merchant_id, complaint_id=complaint.pk
        )
        connections.close_all()  # Playwright's handler greenlet had a connection of its own
        time.sleep(1.5)  # the event reaches the page before the panel does
        route.fulfill(response=rendered)

    page.route(re.compile(r"/refunds/complaints/\d+/panel/$"), order_arrives_meanwhile)
    sign_in_browser(page, live_server.url, people["agent"])
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")

    expect(page.get_by_test_id("order-trade-state")).to_contain_text("支付成功")
    expect(page.get_by_test_id("order-paid")).to_contain_text("100.00")
    expect(page.get_by_test_id("refund-status-part")).not_to_have_class(re.compile("htmx-request"))
