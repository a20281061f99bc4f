"""Queue and detail pages: permissions for each role, 404 across merchants, constant queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import ComplaintImage, TimelineEvent
from console.encryption import encrypt_text
from console.models import AuditEvent
from tests.complaints.conftest import (
    assign,
    make_complaint,
    make_history,
    make_merchant,
    make_reply,
)

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def complaint(merchant):
    return make_complaint(merchant)


def test_anonymous_users_are_sent_to_login(client, complaint):
    response = client.get(reverse("complaints:queue"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_agents_and_supervisors_see_the_queue_and_detail(
    client, request, merchant, complaint, role
):
    user = request.getfixturevalue(role)
    assign(user, merchant)
    login(client, user)

    queue = client.get(reverse("complaints:queue"))
    detail = client.get(reverse("complaints:detail", args=[complaint.pk]))

    assert queue.status_code == 200
    assert complaint.complaint_id in queue.content.decode()
    assert detail.status_code == 200


def test_admins_do_not_work_complaints(client, admin_user, merchant, complaint):
    assign(admin_user, merchant)
    login(client, admin_user)

    assert client.get(reverse("complaints:queue")).status_code == 403
    assert client.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 403


def test_another_merchants_complaint_answers_404(client, working_agent, other_merchant):
    foreign = make_complaint(other_merchant)
    login(client, working_agent)

    for name in ("complaints:detail", "complaints:timeline"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    for name in ("complaints:claim", "complaints:note", "complaints:presence"):
        assert client.post(reverse(name, args=[foreign.pk]), {"text": "x"}).status_code == 404
    assert foreign.complaint_id not in client.get(reverse("complaints:queue")).content.decode()


def test_another_merchants_image_answers_404(client, working_agent, other_merchant):
    foreign = make_complaint(other_merchant)
    image = ComplaintImage.objects.create(
        complaint=foreign,
        url="https://x/y",
        url_hash="h",
        content=b"\x89PNG",
        content_type="image/png",
        fetch_status=ComplaintImage.FetchStatus.FETCHED,
    )
    login(client, working_agent)

    url = reverse("complaints:image", args=[foreign.pk, image.pk])
    assert client.get(url).status_code == 404


def test_the_queue_runs_a_constant_number_of_queries(
    client, working_agent, merchant, django_assert_max_num_queries
):
    login(client, working_agent)
    make_complaint(merchant, need_immediate_service=True)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("complaints:queue"))
    for n in range(60):
        make_complaint(merchant, need_immediate_service=n % 3 == 0, assignee=working_agent)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("complaints:queue") + "?view=mine")
    assert response.status_code == 200


def test_the_detail_page_runs_a_constant_number_of_queries(
    client, working_agent, merchant, django_assert_max_num_queries
):
    login(client, working_agent)
    complaint = make_complaint(merchant)
    make_history(complaint, 1)
    make_reply(complaint, working_agent)
    ComplaintImage.objects.create(complaint=complaint, url="u", url_hash="h")
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("complaints:detail", args=[complaint.pk]))
    make_history(complaint, 200)
    for n in range(20):
        TimelineEvent.objects.create(complaint=complaint, kind="note", actor=working_agent)
        ComplaintImage.objects.create(complaint=complaint, url=f"u{n}", url_hash=f"h{n}")
    for status in ("queued", "sending", "retrying", "delivered", "failed") * 3:
        make_reply(complaint, working_agent, status=status, attempt_count=1)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("complaints:detail", args=[complaint.pk]))
    page = response.content.decode()
    assert page.count('data-testid="history-entry"') == 201
    assert page.count('data-testid="reply-status"') == 16


def test_the_queue_refreshes_only_its_rows(client, working_agent, complaint):
    login(client, working_agent)

    response = client.get(reverse("complaints:queue") + "?view=open&fragment=rows")

    body = response.content.decode()
    assert 'data-testid="queue-row"' in body
    assert "<html" not in body


def test_claiming_from_a_queue_row_returns_the_row(client, working_agent, complaint):
    login(client, working_agent)

    response = client.post(
        reverse("complaints:claim", args=[complaint.pk]),
        {"fragment": "row"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert 'data-testid="assignee"' in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.assignee == working_agent


def test_a_note_from_the_detail_page_lands_in_the_timeline(client, working_agent, complaint):
    login(client, working_agent)

    client.post(reverse("complaints:note", args=[complaint.pk]), {"text": "refund pending"})

    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "refund pending" in page


def test_agents_cannot_reveal_phones(client, working_agent, merchant):
    complaint = make_complaint(merchant, payer_phone_encrypted=encrypt_text("13800138000"))
    login(client, working_agent)

    response = client.post(reverse("complaints:reveal_phone", args=[complaint.pk]))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="complaint.phone_revealed").exists()


def test_a_supervisor_reveals_a_masked_phone(client, supervisor, merchant):
    assign(supervisor, merchant)
    complaint = make_complaint(
        merchant,
        payer_phone_encrypted=encrypt_text("13800138000"),
        payer_phone_masked="138****8000",
    )
    login(client, supervisor)
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "138****8000" in page and "13800138000" not in page

    response = client.post(reverse("complaints:reveal_phone", args=[complaint.pk]))

    assert "13800138000" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="complaint.phone_revealed").count() == 1


def test_presence_shows_who_else_is_on_the_complaint(client, working_agent, merchant, complaint):
    from tests.fixtures.users import make_user

    other = make_user("agent_b", "agent")
    assign(other, merchant)
    login(client, other)
    client.post(reverse("complaints:presence", args=[complaint.pk]), {"mode": "composing"})
    client.logout()
    login(client, working_agent)

    fragment = client.post(reverse("complaints:presence", args=[complaint.pk])).content.decode()
    queue = client.get(reverse("complaints:queue")).content.decode()

    assert "agent_b" in fragment
    assert "agent_b" in queue


def test_the_webhook_is_404_for_an_unknown_merchant(client):
    response = client.post("/webhooks/wechatpay/1900000000/complaints", b"{}", "application/json")

    assert response.status_code == 404


def test_other_merchants_do_not_leak_through_filters(client, working_agent, merchant):
    foreign = make_merchant()
    make_complaint(foreign)
    login(client, working_agent)

    response = client.get(reverse("complaints:queue") + f"?merchant={foreign.pk}")

    assert 'data-testid="queue-row"' not in response.content.decode()


@pytest.mark.parametrize(
    ("immediate", "target"), [(False, "(24 h)"), (True, "(60 min, immediate service)")]
)
def test_the_detail_names_the_first_reply_target_the_complaint_is_held_to(
    client, working_agent, merchant, immediate, target
):
    complaint = make_complaint(merchant, need_immediate_service=immediate)
    login(client, working_agent)
    client.cookies["django_language"] = "en"

    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()

    assert f'First-reply deadline <span class="muted">{target}</span>' in page


def test_user_tags_are_shown_in_words_and_unknown_ones_as_received(client, working_agent, merchant):
    complaint = make_complaint(merchant, user_tag_list=["HIGH_RISK", "NEW_TAG"])
    login(client, working_agent)

    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()

    assert '<span class="badge" title="HIGH_RISK">高风险用户</span>' in page
    assert '<span class="badge" title="NEW_TAG">NEW_TAG</span>' in page


def test_a_completed_complaint_shows_no_countdown(client, working_agent, merchant):
    from django.utils import timezone

    done = make_complaint(merchant, complaint_state="PROCESSED", completed_at=timezone.now())
    login(client, working_agent)

    page = client.get(reverse("complaints:detail", args=[done.pk])).content.decode()

    first_reply = page.split('data-testid="fact-first-reply"', 1)[1].split("</dd>", 1)[0]
    assert "badge" not in first_reply
