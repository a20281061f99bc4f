"""What a new agent or supervisor reads on the refund pages: buttons that say what they do, one
heading per thing, an empty state instead of a form that can only fail, errors that say what to
type (zh-Hans first, English second)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from refunds.models import OrderSnapshot, Refund
from refunds.services import limits_set, refund_decline
from tests.factories import logged_in
from tests.refunds.conftest import ask, order_complaint

pytestmark = pytest.mark.django_db


def panel(client, complaint) -> str:
    answer = client.get(reverse("refunds:panel", args=[complaint.pk]))
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_refund_button_says_it_sends_the_refund_in_both_languages(complaint, people):
    chinese = panel(logged_in(people["agent"], language="zh-hans"), complaint)
    english = panel(logged_in(people["agent"], language="en"), complaint)
    assert "发起退款" in chinese
    assert "Send the refund" in english and "New refund" in english


def test_the_list_of_refunds_and_the_form_have_different_headings(complaint, people):
    ask(complaint, people["agent"], 1000)
    text = panel(logged_in(people["agent"], language="zh-hans"), complaint)
    assert "本订单的退款" in text
    assert "<h3>退款</h3>" not in text


def test_nothing_left_to_refund_shows_why_instead_of_a_form(complaint, people):
    ask(complaint, people["agent"], 10000)  # the whole order, waiting for approval
    client = logged_in(people["agent"], language="zh-hans")
    text = panel(client, complaint)
    assert 'data-testid="refund-nothing-left"' in text
    assert "没有可退金额" in text
    assert 'data-testid="refund-create-form"' not in text
    assert "¥100.00 待审批或退款中" in text


def test_an_over_refund_says_how_much_may_be_entered(complaint, people):
    url = reverse("refunds:refund_create", args=[complaint.pk])
    data = {"request_key": str(uuid.uuid4()), "seen_refunds": "0", "amount": "150"}
    chinese = logged_in(people["agent"], language="zh-hans").post(url, data)
    data["request_key"] = str(uuid.uuid4())
    english = logged_in(people["agent"], language="en").post(url, data)
    assert "请输入不超过 ¥100.00 的金额" in chinese.content.decode()
    assert "Enter at most ¥100.00." in english.content.decode()
    assert not Refund.objects.exists()


def test_the_approval_buttons_say_what_they_do(complaint, people):
    ask(complaint, people["agent"], 6000)
    text = logged_in(people["supervisor"], language="zh-hans").get(reverse("refunds:approvals"))
    assert "批准并发起退款" in text.content.decode()
    assert "驳回退款" in text.content.decode()


def test_the_order_state_is_named_in_the_page_language(complaint, people):
    OrderSnapshot.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        status="fresh",
        trade_state="SUCCESS",
        trade_state_desc="支付成功",
        total=10000,
        fetched_at=timezone.now(),
    )
    english = panel(logged_in(people["agent"], language="en"), complaint)
    chinese = panel(logged_in(people["agent"], language="zh-hans"), complaint)
    assert "Payment succeeded" in english and "支付成功" not in english
    assert "支付成功" in chinese


def test_a_negative_limit_says_zero_is_allowed(merchant, people):
    url = reverse("refunds:limits_save", args=[merchant.pk])
    data = {f"m{merchant.pk}-per_refund": "-5", f"m{merchant.pk}-per_day": "80"}
    chinese = logged_in(people["supervisor"], language="zh-hans").post(url, data)
    english = logged_in(people["supervisor"], language="en").post(url, data)
    assert "请输入 0 或以上的金额" in chinese.content.decode()
    assert "Enter an amount of 0 or more." in english.content.decode()
    assert "above zero" not in english.content.decode()


def test_approve_and_refund_says_when_the_refund_is_launched(merchant, people):
    request = order_complaint(merchant, problem_type="REFUND")
    text = panel(logged_in(people["agent"], language="zh-hans"), request)
    assert "预计发起退款的工作日数（0 表示当天）" in text
    assert 'name="launch_refund_day" value="0"' in text


def test_a_supervisor_is_not_offered_to_decide_a_refund_they_asked_for(complaint, people):
    ask(complaint, people["supervisor"], 9000)
    own = logged_in(people["supervisor"], language="zh-hans").get(reverse("refunds:approvals"))
    other = logged_in(people["supervisor2"], language="zh-hans").get(reverse("refunds:approvals"))
    assert "您发起的退款须由另一位主管审批" in own.content.decode()
    assert 'data-testid="approve"' not in own.content.decode()
    assert 'data-testid="approve"' in other.content.decode()


def test_the_timeline_tells_an_agents_refund_from_the_consumers_refund_request(complaint, people):
    ask(complaint, people["agent"], 1000)
    url = reverse("complaints:timeline", args=[complaint.pk])
    text = logged_in(people["agent"], language="zh-hans").get(url).content.decode()
    assert "客服发起退款" in text
    assert "申请退款" not in text  # the glossary's word for the consumer's refund request


def test_the_audit_log_shows_refund_amounts_and_limits_in_yuan(complaint, merchant, people):
    supervisor = people["supervisor"]
    limits_set(merchant=merchant, per_refund=6000, per_day=8000, user=supervisor)
    refund = ask(complaint, people["agent"], 9000)
    refund_decline(refund_pk=refund.pk, user=people["supervisor2"], reason="Not ours")
    text = logged_in(supervisor, language="zh-hans").get(reverse("console:audit")).content.decode()
    assert "¥50.00 → ¥60.00" in text and "单笔上限" in text
    assert "¥90.00" in text
    assert "（分）" not in text and "9000" not in text


@pytest.mark.parametrize(
    ("status", "code", "step"),
    [
        ("failed", "NOT_ENOUGH", "请为商户的微信支付基本账户充值后重新发起退款"),
        ("abnormal", "ABNORMAL", "请勿重新发起退款"),
        ("closed", "CLOSED", "如仍需为用户退款，请重新发起退款"),
    ],
)
def test_a_refused_refund_says_what_to_do_next(complaint, people, status, code, step):
    refund = ask(complaint, people["agent"], 1000)
    Refund.objects.filter(pk=refund.pk).update(status=status, error_code=code, error_message="x")
    text = panel(logged_in(people["agent"], language="zh-hans"), complaint)
    assert step in text


def test_an_empty_history_says_why_and_how_to_see_everything(complaint, people):
    client = logged_in(people["supervisor"], language="zh-hans")
    empty = client.get(reverse("refunds:history")).content.decode()
    assert "暂无退款：从投诉单发起的退款会显示在这里。" in empty
    ask(complaint, people["agent"], 1000)
    filtered = client.get(reverse("refunds:history"), {"status": "success"}).content.decode()
    assert "没有符合筛选条件的退款。" in filtered
    assert "查看全部退款" in filtered


def test_the_history_exports_what_it_shows_like_the_reply_history(complaint, people):
    """Same words and look as the reply history's export; the filters travel with it."""
    client = logged_in(people["supervisor"], language="zh-hans")
    page = client.get(reverse("refunds:history"), {"status": "success"}).content.decode()
    csv_url = reverse("refunds:history_csv")
    assert (
        f'<a class="button" href="{csv_url}?status=success" data-testid="refund-csv">导出 CSV</a>'
        in page
    )


def test_a_refund_alert_reads_in_the_supervisors_language_whoever_asked(complaint, people):
    with translation.override("en"):
        ask(complaint, people["agent"], 6000)  # an agent working in English
    url = reverse("automation:alerts")
    text = logged_in(people["supervisor"], language="zh-hans").get(url).content.decode()
    assert "待您审批的退款" in text and "¥60.00" in text
    assert "waits for your approval" not in text


def test_the_form_says_up_to_what_amount_an_agent_refunds_alone(complaint, people):
    chinese = panel(logged_in(people["agent"], language="zh-hans"), complaint)
    english = panel(logged_in(people["agent"], language="en"), complaint)
    assert "单笔不超过 ¥50.00、每日累计不超过 ¥80.00 的退款可直接发起" in chinese
    assert "up to ¥50.00 per refund and ¥80.00 a day" in english


def test_approve_and_refund_offers_what_the_consumer_asked_for(merchant, people):
    """A refund request of ¥50 on a ¥100 order: the form starts at ¥50, not the whole order; a
    plain complaint's refund starts at the whole refundable balance; an English timeline names the
    agent's refund apart from the consumer's request."""
    request = order_complaint(merchant, problem_type="REFUND", apply_refund_amount=5000)
    plain = order_complaint(merchant)
    agent = logged_in(people["agent"], language="en")
    assert 'name="amount" value="50.00"' in panel(agent, request)
    assert 'name="amount" value="100.00"' in panel(agent, plain)

    ask(plain, people["agent"], 1000)
    timeline = agent.get(reverse("complaints:timeline", args=[plain.pk])).content.decode()
    assert "Refund started" in timeline and "Refund requested" not in timeline
