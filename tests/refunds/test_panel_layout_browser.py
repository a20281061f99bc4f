"""The refund panel as Chromium lays it out: the order's refresh button does not touch the facts
above it (it sat flush under "Read at")."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from refunds.models import OrderSnapshot
from tests.factories import sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_refresh_button_stands_apart_from_the_order_facts(live_server, page, complaint, people):
    OrderSnapshot.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        status="fresh",
        trade_state="SUCCESS",
        total=10000,
        fetched_at=timezone.now(),
    )
    sign_in_browser(page, live_server.url, people["agent"])
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    facts = page.get_by_test_id("order-state")
    button = page.get_by_test_id("order-refresh")
    expect(button).to_be_visible()
    gap = button.bounding_box()["y"] - (facts.bounding_box()["y"] + facts.bounding_box()["height"])
    assert gap >= 6
