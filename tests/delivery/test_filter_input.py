"""The history's and the KPIs' filter chains (messaging/filters.py) with input they cannot read:
the page names what was left out, the other filters still apply, exports included; never a 500,
never another merchant's rows."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from console.roles import SUPERVISOR
from messaging.models import Reply
from tests.delivery.conftest import assign, make_complaint, make_merchant
from tests.delivery.test_views import make_reply
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return make_merchant()


@pytest.fixture
def boss(client, shop):
    user = make_user("boss", SUPERVISOR)
    assign(user, shop)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def test_history_names_an_unreadable_filter_and_applies_the_others(client, boss, shop):
    failed = make_reply(make_complaint(shop), status=Reply.Status.FAILED)
    delivered = make_reply(make_complaint(shop), status=Reply.Status.DELIVERED)

    response = client.get(
        reverse("messaging:history"), {"status": "failed", "date_from": "2026-13-45"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="filter-errors"' in page and "From: Enter a valid date." in page
    assert f'data-reply-id="{failed.pk}"' in page
    assert f'data-reply-id="{delivered.pk}"' not in page


def test_history_export_applies_the_readable_filters_too(client, boss, shop):
    failed = make_reply(make_complaint(shop), status=Reply.Status.FAILED)
    make_reply(make_complaint(shop), status=Reply.Status.DELIVERED)

    response = client.get(
        reverse("messaging:history_csv"), {"status": "failed", "origin": "robots"}
    )

    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(lines) == 2 and "`" + failed.complaint.complaint_id in lines[1]


def test_history_refuses_another_merchants_agent_and_merchant(client, boss, shop):
    other = make_merchant()
    stranger = make_user("stranger", SUPERVISOR)
    assign(stranger, other)
    theirs = make_reply(make_complaint(other), author=stranger)
    mine = make_reply(make_complaint(shop))

    response = client.get(
        reverse("messaging:history"), {"merchant": other.pk, "agent": stranger.pk}
    )

    page = response.content.decode()
    assert "Merchant: Select a valid choice." in page and "Agent: Select a valid choice." in page
    assert f'data-reply-id="{theirs.pk}"' not in page
    assert f'data-reply-id="{mine.pk}"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"date_from": "2026-02-01", "date_to": "2026-01-01"},
            "The start date is after the end date.",
        ),
        (
            {"date_from": "2020-01-01", "date_to": "2026-01-01"},
            "Choose a period of at most one year.",
        ),
        ({"date_from": "not a date"}, "From: Enter a valid date."),
        ({"merchant": "999999999"}, "Merchant: Select a valid choice."),
    ],
)
def test_kpis_name_an_unreadable_filter_and_show_the_default_period(client, boss, query, message):
    response = client.get(reverse("messaging:kpis"), query)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="filter-errors"' in page and message in page
    figures = response.context["kpis"]
    assert (figures.date_to - figures.date_from).days < 366


def test_kpis_keep_a_readable_end_date_when_the_start_is_unreadable(client, boss):
    response = client.get(reverse("messaging:kpis"), {"date_from": "x", "date_to": "2026-03-31"})

    figures = response.context["kpis"]
    assert figures.date_to.isoformat() == "2026-03-31"
    assert figures.date_from.isoformat() == "2026-03-02"  # the 30 days ending then
