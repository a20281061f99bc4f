"""Mark complete and refund decisions go out through the delivery path (messaging.Reply rows)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from messaging.models import Reply
from tests.complaints.conftest import assign, make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, working_agent):
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_mark_complete_needs_confirmation(logged_in, merchant):
    complaint = make_complaint(merchant)

    response = logged_in.post(
        reverse("complaints:complete", args=[complaint.pk]), {"idempotent_id": str(uuid.uuid4())}
    )

    assert response.status_code == 400
    assert not Reply.objects.exists()


def test_mark_complete_queues_one_reply_even_if_submitted_twice(logged_in, merchant):
    complaint = make_complaint(merchant)
    form = {"idempotent_id": str(uuid.uuid4()), "confirm": "on"}

    for _ in range(2):
        response = logged_in.post(reverse("complaints:complete", args=[complaint.pk]), form)
        assert response.status_code == 302

    reply = Reply.objects.get()
    assert reply.endpoint == "complete"
    assert reply.payload == {"complainted_mchid": merchant.mchid}
    assert str(reply.idempotent_id) == form["idempotent_id"]


def test_a_queued_completion_replaces_the_form_until_wechat_confirms(logged_in, merchant):
    complaint = make_complaint(merchant)
    detail = reverse("complaints:detail", args=[complaint.pk])
    before = logged_in.get(detail).content.decode()

    form = {"idempotent_id": str(uuid.uuid4()), "confirm": "on"}
    logged_in.post(reverse("complaints:complete", args=[complaint.pk]), form)
    after = logged_in.get(detail).content.decode()

    assert 'data-testid="complete-form"' in before
    assert 'data-testid="complete-form"' not in after
    assert 'data-testid="completion-pending"' in after


def test_refund_approval_is_queued_for_refund_complaints(logged_in, merchant):
    complaint = make_complaint(merchant, problem_type="REFUND")

    logged_in.post(
        reverse("complaints:refund", args=[complaint.pk]),
        {
            "idempotent_id": str(uuid.uuid4()),
            "action": "APPROVE",
            "launch_refund_day": "1",
            "confirm": "on",
        },
    )

    reply = Reply.objects.get()
    assert reply.endpoint == "update-refund-progress"
    assert reply.payload == {"action": "APPROVE", "launch_refund_day": 1}


def test_a_refund_rejection_needs_a_reason(logged_in, merchant):
    complaint = make_complaint(merchant, problem_type="REFUND")

    response = logged_in.post(
        reverse("complaints:refund", args=[complaint.pk]),
        {"idempotent_id": str(uuid.uuid4()), "action": "REJECT", "confirm": "on"},
    )

    assert response.status_code == 400
    assert not Reply.objects.exists()


def test_refund_decisions_only_apply_to_refund_complaints(logged_in, merchant):
    complaint = make_complaint(merchant, problem_type="OTHERS")

    response = logged_in.post(
        reverse("complaints:refund", args=[complaint.pk]),
        {"idempotent_id": str(uuid.uuid4()), "action": "APPROVE", "confirm": "on"},
    )

    assert response.status_code == 400
    assert not Reply.objects.exists()


def test_admins_cannot_complete(client, admin_user, merchant):
    assign(admin_user, merchant)
    complaint = make_complaint(merchant)
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")

    response = client.post(
        reverse("complaints:complete", args=[complaint.pk]),
        {"idempotent_id": str(uuid.uuid4()), "confirm": "on"},
    )

    assert response.status_code == 403


def test_queued_replies_show_in_the_timeline(logged_in, merchant):
    complaint = make_complaint(merchant)
    logged_in.post(
        reverse("complaints:complete", args=[complaint.pk]),
        {"idempotent_id": str(uuid.uuid4()), "confirm": "on"},
    )

    page = logged_in.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()

    assert 'data-testid="reply-attempt"' in page


def test_a_queued_refund_decision_replaces_its_form_until_wechat_confirms(logged_in, merchant):
    complaint = make_complaint(merchant, problem_type="REFUND")
    detail = reverse("complaints:detail", args=[complaint.pk])
    assert 'data-testid="refund-form"' in logged_in.get(detail).content.decode()

    logged_in.post(
        reverse("complaints:refund", args=[complaint.pk]),
        {"idempotent_id": str(uuid.uuid4()), "action": "APPROVE", "launch_refund_day": "3",
         "confirm": "on"},
    )  # fmt: skip
    after = logged_in.get(detail).content.decode()

    assert Reply.objects.filter(endpoint="update-refund-progress").exists()
    assert 'data-testid="refund-form"' not in after
    assert 'data-testid="refund-pending"' in after


def test_a_refund_request_with_an_order_is_approved_with_its_refund_only(logged_in, merchant):
    """With an order to refund, approving is "Approve and refund" in the order panel (the approval
    and the refund together); the complaint's own form offers rejecting only, and the server
    refuses a bare approval however it is posted."""
    complaint = make_complaint(
        merchant, problem_type="REFUND", transaction_id="4200000001202612051234567890"
    )
    page = logged_in.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'data-testid="refund-approve-hint"' in page
    assert 'value="APPROVE"' not in page and 'value="REJECT"' in page

    response = logged_in.post(
        reverse("complaints:refund", args=[complaint.pk]),
        {"idempotent_id": str(uuid.uuid4()), "action": "APPROVE", "confirm": "on"},
    )
    assert response.status_code == 400
    assert "请在“订单与退款”中用“同意退款并发起退款”同意此申请" in response.content.decode()
    assert not Reply.objects.exists()

    logged_in.post(
        reverse("complaints:refund", args=[complaint.pk]),
        {
            "idempotent_id": str(uuid.uuid4()),
            "action": "REJECT",
            "reject_reason": "订单已发货",
            "confirm": "on",
        },
    )
    assert Reply.objects.get().payload == {"action": "REJECT", "reject_reason": "订单已发货"}
