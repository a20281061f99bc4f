"""KPI figures from rows: response times, shares, overdue, failures; automation apart."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from console.roles import SUPERVISOR
from messaging.models import Reply
from messaging.selectors.kpis import kpis_for, percentile
from tests.delivery.conftest import assign, make_complaint, make_merchant
from tests.fixtures.users import make_user


def delivered_reply(complaint, author, hours: float, automatic: bool = False) -> Reply:
    return Reply.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        author=author,
        is_automatic=automatic,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"response_content": "x"},
        idempotent_id=uuid.uuid4(),
        status=Reply.Status.DELIVERED,
        delivered_at=complaint.complaint_time + timedelta(hours=hours),
    )


@pytest.fixture
def setup(db):
    now = timezone.now()
    shop = make_merchant()
    boss = make_user("boss", SUPERVISOR)
    assign(boss, shop)
    alice = make_user("alice")
    opened = now - timedelta(days=5)
    complaints = []
    for hours in (1, 2, 3, 30):  # the last one misses the 24 h deadline
        complaint = make_complaint(
            shop,
            complaint_time=opened,
            first_reply_due_at=opened + timedelta(hours=24),
            complete_due_at=opened + timedelta(hours=72),
            first_replied_at=opened + timedelta(hours=hours),
        )
        delivered_reply(complaint, alice, hours)
        complaints.append(complaint)
    # An automatic reply came first on one complaint: it must not count as the agent's.
    delivered_reply(complaints[0], None, 0.01, automatic=True)
    complaints[1].completed_at = opened + timedelta(hours=10)
    complaints[1].complaint_state = "PROCESSED"
    complaints[1].save()
    overdue = make_complaint(
        shop,
        complaint_time=opened,
        first_reply_due_at=opened + timedelta(hours=24),
        complete_due_at=opened + timedelta(hours=72),
    )
    Reply.objects.create(
        complaint=overdue,
        merchant=shop,
        author=alice,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={},
        idempotent_id=uuid.uuid4(),
        status=Reply.Status.FAILED,
    )
    return boss, shop, now


def test_percentile_is_nearest_rank():
    assert percentile([1, 2, 3, 30], 0.9) == 30
    assert percentile([5], 0.9) == 5
    assert percentile([], 0.9) is None


def test_kpis_from_rows(setup):
    boss, shop, now = setup
    today = timezone.localdate()

    kpis = kpis_for(boss, date_from=today - timedelta(days=10), date_to=today, now=now)

    assert kpis.complaints == 5
    assert kpis.first_response.median_hours == pytest.approx(2.5)
    assert kpis.first_response.p90_hours == pytest.approx(30)
    assert [row.label for row in kpis.by_agent] == ["alice"]
    assert kpis.by_merchant[0].count == 4
    assert kpis.replied_within_24h == pytest.approx(3 / 5)
    assert kpis.replied_within_target == pytest.approx(3 / 5)
    assert kpis.completed_within_72h == pytest.approx(1 / 5)
    assert kpis.overdue == 4  # every open complaint is past its 72 h deadline
    assert (kpis.human.delivered, kpis.human.failed) == (4, 1)
    assert kpis.human.failure_rate == pytest.approx(1 / 5)
    assert kpis.automatic.delivered == 1
    assert kpis.automatic_first_response.count == 1


def test_kpis_of_another_merchant_are_not_counted(setup):
    boss, shop, now = setup
    outsider = make_user("outsider", SUPERVISOR)
    assign(outsider, make_merchant())
    today = timezone.localdate()
    assert kpis_for(outsider, date_from=today - timedelta(days=10), date_to=today).complaints == 0


def test_kpi_page_renders_figures_and_an_svg_chart(client, setup):
    boss, shop, now = setup
    client.force_login(boss)

    page = client.get(reverse("messaging:kpis")).content.decode()

    assert 'data-testid="kpi-chart"' in page and "<rect" in page
    assert "alice" in page
    svg = page.split('data-testid="kpi-chart"', 1)[1].split("</svg>", 1)[0]
    assert "style=" not in svg  # strict CSP: presentation attributes only


def test_kpi_page_shows_the_default_period_in_its_date_fields(client, setup):
    boss, shop, now = setup
    client.force_login(boss)
    today = timezone.localdate()

    page = client.get(reverse("messaging:kpis")).content.decode()

    assert f'name="date_to" value="{today.isoformat()}"' in page
    assert f'name="date_from" value="{(today - timedelta(days=29)).isoformat()}"' in page


def test_kpi_page_refuses_an_inverted_period(client, setup):
    boss, shop, now = setup
    client.force_login(boss)
    page = client.get(
        reverse("messaging:kpis"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert page.status_code == 200
    assert (
        "The start date is after the end date." in page.content.decode()
        or "开始" in page.content.decode()
    )


def test_immediate_service_counts_24_h_for_wechat_and_its_own_target_apart(db):
    """Replied after 2 h: within WeChat's 24 h, but late for the console's 60-minute target."""
    now = timezone.now()
    shop = make_merchant()
    boss = make_user("boss", SUPERVISOR)
    assign(boss, shop)
    opened = now - timedelta(days=1)
    make_complaint(
        shop, need_immediate_service=True, complaint_time=opened,
        first_reply_due_at=opened + timedelta(hours=1),
        complete_due_at=opened + timedelta(hours=72),
        first_replied_at=opened + timedelta(hours=2),
    )  # fmt: skip
    today = timezone.localdate()

    kpis = kpis_for(boss, date_from=today - timedelta(days=3), date_to=today, now=now)

    assert (kpis.replied_within_24h, kpis.replied_within_target) == (1.0, 0.0)
