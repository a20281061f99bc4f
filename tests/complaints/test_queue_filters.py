"""The queue's filter chain (complaints/filters.py, django-filter) through the page: the same
query-string names as ever, merchant scoping, and input it cannot read named on the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from tests.complaints.conftest import make_complaint, make_merchant

pytestmark = pytest.mark.django_db


def rows(response) -> int:
    return response.content.decode().count('data-testid="queue-row"')


@pytest.fixture
def client_of(client, working_agent):
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "en"
    return client


def test_each_filter_narrows_by_its_query_string_name(client_of, merchant):
    long_ago = timezone.now() - timedelta(days=40)
    refund = make_complaint(merchant, problem_type="REFUND")
    make_complaint(merchant, problem_type="OTHERS")
    make_complaint(merchant, problem_type="OTHERS", complaint_time=long_ago)
    queue = reverse("complaints:queue")
    today = timezone.localdate().isoformat()

    assert rows(client_of.get(queue)) == 3
    assert rows(client_of.get(queue, {"refund": "on"})) == 1
    assert rows(client_of.get(queue, {"problem_type": "OTHERS"})) == 2
    assert rows(client_of.get(queue, {"date_from": today})) == 2
    assert rows(client_of.get(queue, {"date_to": timezone.localdate(long_ago).isoformat()})) == 1
    assert rows(client_of.get(queue, {"merchant": merchant.pk, "state": "PENDING"})) == 3
    assert rows(client_of.get(queue, {"q": refund.complaint_id})) == 1
    assert rows(client_of.get(queue, {"view": "done"})) == 0


def test_unreadable_filters_are_named_and_the_rest_still_apply(client_of, merchant):
    make_complaint(merchant, problem_type="REFUND")
    make_complaint(merchant, problem_type="OTHERS")

    response = client_of.get(
        reverse("complaints:queue"),
        {"date_from": "2026-13-45", "view": "nonsense", "problem_type": "REFUND"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="filter-errors"' in page
    assert "From: Enter a valid date." in page
    assert "Queue views: Select a valid choice." in page
    assert rows(response) == 1  # the problem type still applies, in the open view


def test_a_merchant_the_user_does_not_work_for_is_refused_not_shown(client_of, merchant):
    foreign = make_merchant()
    make_complaint(foreign)
    make_complaint(merchant)

    response = client_of.get(reverse("complaints:queue"), {"merchant": foreign.pk})

    assert "Merchant: Select a valid choice." in response.content.decode()
    assert rows(response) == 1  # the user's own complaint, never the foreign one


def test_the_next_page_link_keeps_the_filters(client_of, merchant):
    for _ in range(55):
        make_complaint(merchant, problem_type="REFUND", complaint_state=Complaint.State.PENDING)
    make_complaint(merchant, problem_type="OTHERS")

    first = client_of.get(reverse("complaints:queue"), {"problem_type": "REFUND"})
    next_url = first.context["next_url"]
    second = client_of.get(reverse("complaints:queue") + next_url)

    assert "problem_type=REFUND" in next_url and "after=" in next_url
    assert rows(first) == 50 and rows(second) == 5
