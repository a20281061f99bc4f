"""The queue's views, filters, search and keyset pages; visibility by merchant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import Complaint
from complaints.selectors import QueueFilters, complaints_visible_to, queue_page
from tests.complaints.conftest import assign, make_complaint, make_merchant

pytestmark = pytest.mark.django_db


def ids(page) -> list[str]:
    return [row.complaint_id for row in page.rows]


def test_another_merchants_complaints_are_not_visible(working_agent, merchant, other_merchant):
    mine = make_complaint(merchant)
    make_complaint(other_merchant)

    assert list(complaints_visible_to(working_agent)) == [mine]


def test_a_user_without_assignment_sees_nothing(agent, merchant):
    make_complaint(merchant)

    assert not complaints_visible_to(agent).exists()


def test_immediate_service_complaints_come_first_then_nearest_deadline(working_agent, merchant):
    now = timezone.now()
    late = make_complaint(merchant, complaint_time=now - timedelta(hours=1))
    early = make_complaint(merchant, complaint_time=now - timedelta(hours=5))
    urgent = make_complaint(merchant, complaint_time=now, need_immediate_service=True)

    page = queue_page(working_agent, QueueFilters())

    assert ids(page) == [urgent.complaint_id, early.complaint_id, late.complaint_id]


def test_an_answered_complaint_is_sorted_by_its_completion_deadline(working_agent, merchant):
    """Once the first reply went out, the deadline that matters is completion (72 h): an
    answered complaint must not crowd out unanswered ones due sooner."""
    now = timezone.now()
    answered = make_complaint(
        merchant, complaint_state="PROCESSING", first_replied_at=now - timedelta(hours=20),
        first_reply_due_at=now - timedelta(hours=1), complete_due_at=now + timedelta(hours=47),
    )  # fmt: skip
    unanswered = make_complaint(merchant, first_reply_due_at=now + timedelta(hours=2))

    page = queue_page(working_agent, QueueFilters())
    answered.refresh_from_db()

    assert ids(page) == [unanswered.complaint_id, answered.complaint_id]
    assert answered.due_at == answered.complete_due_at
    assert page.rows[0].due_at == unanswered.first_reply_due_at


def test_keyset_pages_cover_every_open_complaint_once_in_order(working_agent, merchant):
    now = timezone.now()
    for n in range(23):
        make_complaint(
            merchant,
            complaint_time=now - timedelta(minutes=n % 7),  # shared deadlines across pages
            need_immediate_service=n % 5 == 0,
        )
    make_complaint(merchant, complaint_state="PROCESSED")
    seen, cursor = [], ""
    while True:
        page = queue_page(working_agent, QueueFilters(), cursor, page_size=4)
        seen += page.rows
        if not page.next_cursor:
            break
        cursor = page.next_cursor

    expected = list(
        Complaint.objects.exclude(complaint_state="PROCESSED").order_by(
            "-need_immediate_service", "first_reply_due_at", "id"
        )
    )
    assert [c.pk for c in seen] == [c.pk for c in expected]


def test_done_view_pages_newest_deadline_first(working_agent, merchant):
    now = timezone.now()
    done = [
        make_complaint(
            merchant, complaint_state="PROCESSED", complaint_time=now - timedelta(hours=n)
        )
        for n in range(5)
    ]
    first = queue_page(working_agent, QueueFilters(view="done"), page_size=3)
    second = queue_page(working_agent, QueueFilters(view="done"), first.next_cursor, page_size=3)

    assert [r.pk for r in first.rows + second.rows] == [c.pk for c in done]
    assert second.next_cursor is None


@pytest.mark.parametrize(
    ("view", "matching"),
    [
        ("immediate", {"need_immediate_service": True}),
        ("new_message", {"incoming_user_response": True}),
        ("due_soon", {"sla_status": "at_risk"}),
        ("processing", {"complaint_state": "PROCESSING"}),
        ("done", {"complaint_state": "PROCESSED"}),
    ],
)
def test_each_view_shows_only_its_complaints(working_agent, merchant, view, matching):
    wanted = make_complaint(merchant, **matching)
    make_complaint(merchant)

    assert ids(queue_page(working_agent, QueueFilters(view=view))) == [wanted.complaint_id]


def test_mine_and_unassigned_views(working_agent, merchant, supervisor):
    mine = make_complaint(merchant, assignee=working_agent)
    make_complaint(merchant, assignee=supervisor)
    free = make_complaint(merchant)

    assert ids(queue_page(working_agent, QueueFilters(view="mine"))) == [mine.complaint_id]
    assert ids(queue_page(working_agent, QueueFilters(view="unassigned"))) == [free.complaint_id]


def test_filters_by_merchant_type_refund_and_dates(working_agent, merchant):
    second = make_merchant()
    assign(working_agent, second)
    now = timezone.now()
    refund = make_complaint(second, problem_type="REFUND", complaint_time=now)
    make_complaint(merchant, problem_type="REFUND", complaint_time=now)
    make_complaint(second, problem_type="OTHERS", complaint_time=now)
    make_complaint(second, problem_type="REFUND", complaint_time=now - timedelta(days=3))
    today = timezone.localdate()

    filters = QueueFilters(
        merchant_id=second.pk, refund_requested=True, date_from=today, date_to=today
    )
    assert ids(queue_page(working_agent, filters)) == [refund.complaint_id]


@pytest.mark.parametrize("field", ["complaint_id", "transaction_id", "out_trade_no"])
def test_search_by_identifiers(working_agent, merchant, field):
    wanted = make_complaint(merchant, transaction_id="4200000001", out_trade_no="OUT-778899")
    make_complaint(merchant)

    term = getattr(wanted, field)
    assert ids(queue_page(working_agent, QueueFilters(q=term))) == [wanted.complaint_id]


def test_search_by_phone_suffix_and_text(working_agent, merchant):
    by_phone = make_complaint(merchant, payer_phone_last4="8000")
    by_text = make_complaint(merchant, complaint_detail="外卖显示已送达但我根本没收到")
    make_complaint(merchant)

    assert ids(queue_page(working_agent, QueueFilters(q="8000"))) == [by_phone.complaint_id]
    assert ids(queue_page(working_agent, QueueFilters(q="根本没收到"))) == [by_text.complaint_id]
