"""The refund pages: the complaint's panel and its form, the approval queue, limits, history."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from refunds.models import Refund, RefundLimits
from tests.factories import logged_in
from tests.refunds.conftest import ask

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def form(amount: str, **extra) -> dict:
    return {"request_key": str(uuid.uuid4()), "seen_refunds": "0", "amount": amount, **extra}


def test_the_panel_shows_the_order_and_a_full_refund_by_default(complaint, people):
    answer = logged_in(people["agent"]).get(reverse("refunds:panel", args=[complaint.pk]))
    text = answer.content.decode()
    assert answer.status_code == 200
    assert 'value="100.00"' in text  # the whole refundable balance
    assert "¥100.00" in text


def test_an_agent_refunds_from_the_panel(complaint, people):
    url = reverse("refunds:refund_create", args=[complaint.pk])

    answer = logged_in(people["agent"]).post(url, form("25.50", reason="坏了"), **HTMX)

    assert answer.status_code == 200
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.status) == (2550, "坏了", "queued")
    assert "Refund sent to WeChat Pay" in answer.content.decode()


def test_the_same_form_sent_twice_makes_one_refund(complaint, people):
    client = logged_in(people["agent"])
    url = reverse("refunds:refund_create", args=[complaint.pk])
    data = form("10")
    client.post(url, data, **HTMX)
    client.post(url, data, **HTMX)
    assert Refund.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "请输入以元为单位的金额"),
        ("1.234", "最多两位小数"),
        ("0", "请输入大于零的金额"),
        ("150", "超过该订单的可退金额"),
    ],
)
def test_bad_amounts_are_refused_with_a_chinese_message(complaint, people, amount, message):
    client = logged_in(people["agent"], language="zh-hans")
    url = reverse("refunds:refund_create", args=[complaint.pk])

    answer = client.post(url, form(amount))

    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not Refund.objects.exists()


def test_above_the_limit_the_panel_says_it_waits(complaint, people):
    url = reverse("refunds:refund_create", args=[complaint.pk])
    answer = logged_in(people["agent"]).post(url, form("60"), **HTMX)
    assert "waits for a supervisor" in answer.content.decode()
    assert Refund.objects.get().status == Refund.Status.AWAITING_APPROVAL


def test_a_supervisor_approves_from_the_queue(complaint, people):
    refund = ask(complaint, people["agent"], 6000)
    client = logged_in(people["supervisor"])
    page = client.get(reverse("refunds:approvals"))
    assert refund.complaint.complaint_id in page.content.decode()

    answer = client.post(reverse("refunds:approve", args=[refund.pk]), **HTMX)

    assert "Approved" in answer.content.decode()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.QUEUED and refund.decided_by == people["supervisor"]


def test_declining_needs_a_reason(complaint, people):
    refund = ask(complaint, people["agent"], 6000)
    client = logged_in(people["supervisor"])
    answer = client.post(reverse("refunds:decline", args=[refund.pk]), {"reason": ""}, **HTMX)
    assert "Say why" in answer.content.decode()
    client.post(reverse("refunds:decline", args=[refund.pk]), {"reason": "重复"}, **HTMX)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.DECLINED


def test_supervisors_set_limits_in_yuan(merchant, people):
    client = logged_in(people["supervisor"])
    url = reverse("refunds:limits_save", args=[merchant.pk])
    prefix = f"m{merchant.pk}"

    bad = client.post(url, {f"{prefix}-per_refund": "-1", f"{prefix}-per_day": "10"})
    assert bad.status_code == 400
    client.post(url, {f"{prefix}-per_refund": "200", f"{prefix}-per_day": "1000.50"})

    limits = RefundLimits.objects.get(merchant=merchant)
    assert (limits.per_refund, limits.per_day) == (20000, 100050)


def test_the_history_csv_keeps_ids_as_text(complaint, people):
    refund = ask(complaint, people["agent"], 1000)
    answer = logged_in(people["supervisor"]).get(reverse("refunds:history_csv"))
    text = b"".join(answer.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    assert refund.out_refund_no in text
    assert f"`{complaint.complaint_id}" in text


def test_the_kpis_count_refunded_amounts_and_resolved_complaints(merchant, people):
    from django.utils import timezone

    from tests.refunds.conftest import order_complaint

    complaint = order_complaint(merchant, problem_type="REFUND", complaint_state="PROCESSED")
    refund = ask(complaint, people["agent"], 3000)
    Refund.objects.filter(pk=refund.pk).update(status="success", succeeded_at=timezone.now())

    answer = logged_in(people["supervisor"]).get(reverse("refunds:kpis_panel"))

    text = answer.content.decode()
    assert "¥30.00" in text
    assert 'data-testid="kpi-resolved-by-refund">1<' in text


def test_the_history_filters_narrow_and_name_what_they_could_not_read(merchant, people):
    from tests.complaints.conftest import make_merchant
    from tests.refunds.conftest import order_complaint

    first, second = order_complaint(merchant), order_complaint(merchant)
    kept = ask(first, people["agent"], 1000)
    other = ask(second, people["agent"], 2000)
    Refund.objects.filter(pk=other.pk).update(status="success")
    foreign = make_merchant()
    client = logged_in(people["supervisor"], language="en")

    def shown(**query) -> str:
        answer = client.get(reverse("refunds:history"), query)
        assert answer.status_code == 200
        return answer.content.decode()

    by_number = shown(q=f"  {kept.out_refund_no} ")
    assert kept.out_refund_no in by_number and other.out_refund_no not in by_number
    by_complaint = shown(q=second.complaint_id)
    assert other.out_refund_no in by_complaint and kept.out_refund_no not in by_complaint

    # An unreadable date and a merchant the supervisor does not work for are left out and named;
    # the status still narrows, on the page and in the CSV alike.
    query = {"date_from": "2026-13-45", "merchant": str(foreign.pk), "status": "success"}
    page = shown(**query)
    assert 'data-testid="filter-errors"' in page and "From" in page and "Merchant" in page
    assert other.out_refund_no in page and kept.out_refund_no not in page
    csv = client.get(reverse("refunds:history_csv"), query)
    text = b"".join(csv.streaming_content).decode("utf-8")
    assert other.out_refund_no in text and kept.out_refund_no not in text
