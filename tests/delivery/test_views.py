"""Reply history, CSV, KPIs and the live reply status: permissions, scope and content."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from console.roles import ADMIN, AGENT, SUPERVISOR
from messaging.models import Reply, ReplyAttempt
from messaging.services.replies import reply_submit
from tests.delivery.conftest import assign, make_complaint, make_merchant
from tests.fixtures.users import make_user

REVIEW_URLS = ["messaging:history", "messaging:history_csv", "messaging:kpis"]


def login(client, user):
    client.force_login(user)
    return client


def make_reply(complaint, author=None, **fields) -> Reply:
    reply = reply_submit(
        complaint=complaint,
        author=author,
        endpoint=fields.pop("endpoint", Reply.Endpoint.RESPONSE),
        payload=fields.pop("payload", {"response_content": "您好，已处理。"}),
        idempotent_id=uuid.uuid4(),
        is_automatic=fields.pop("is_automatic", False),
    )
    if fields:
        Reply.objects.filter(pk=reply.pk).update(**fields)
        reply.refresh_from_db()
    return reply


@pytest.fixture
def shop(db):
    return make_merchant()


@pytest.fixture
def other_shop(db):
    return make_merchant()


@pytest.fixture
def boss(shop):
    user = make_user("boss", SUPERVISOR)
    assign(user, shop)
    return user


@pytest.fixture
def worker(shop):
    user = make_user("worker", AGENT)
    assign(user, shop)
    return user


@pytest.mark.parametrize("name", REVIEW_URLS)
@pytest.mark.parametrize(("role", "status"), [(AGENT, 403), (SUPERVISOR, 200), (ADMIN, 403)])
def test_review_pages_need_review_replies(client, shop, name, role, status):
    user = make_user(f"user-{role}", role)
    assign(user, shop)
    assert login(client, user).get(reverse(name)).status_code == status


@pytest.mark.parametrize("name", REVIEW_URLS)
def test_review_pages_need_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "login" in response["Location"]


def test_history_shows_only_the_supervisors_merchants(client, boss, shop, other_shop):
    mine = make_reply(make_complaint(shop), payload={"response_content": "mine"})
    theirs = make_reply(make_complaint(other_shop), payload={"response_content": "theirs"})

    page = login(client, boss).get(reverse("messaging:history")).content.decode()

    assert f'data-reply-id="{mine.pk}"' in page
    assert f'data-reply-id="{theirs.pk}"' not in page


@pytest.mark.parametrize("field", ["log_id", "idempotent_id", "complaint_id"])
def test_history_search_finds_a_reply_by_its_ids(client, boss, shop, field):
    wanted = make_reply(make_complaint(shop), log_id="300285320261129000000000001")
    other = make_reply(make_complaint(shop), log_id="300285320261129000000000002")
    value = {
        "log_id": wanted.log_id,
        "idempotent_id": str(wanted.idempotent_id),
        "complaint_id": wanted.complaint.complaint_id,
    }[field]

    page = login(client, boss).get(reverse("messaging:history"), {"q": value}).content.decode()

    assert f'data-reply-id="{wanted.pk}"' in page
    assert f'data-reply-id="{other.pk}"' not in page


def test_history_filters_by_status_and_errors(client, boss, shop):
    failed = make_reply(make_complaint(shop), status=Reply.Status.FAILED, error_code="PARAM_ERROR")
    delivered = make_reply(make_complaint(shop), status=Reply.Status.DELIVERED)
    login(client, boss)

    by_status = client.get(reverse("messaging:history"), {"status": "failed"}).content.decode()
    by_error = client.get(reverse("messaging:history"), {"errors_only": "on"}).content.decode()
    by_code = client.get(reverse("messaging:history"), {"error_code": "param_error"})

    for page in (by_status, by_error, by_code.content.decode()):
        assert f'data-reply-id="{failed.pk}"' in page
        assert f'data-reply-id="{delivered.pk}"' not in page


def test_history_renders_the_message_and_its_attempts(client, boss, shop):
    message = {"blocks": [{"type": "TEXT", "text": {"text": "退款已发起"}}]}
    reply = make_reply(
        make_complaint(shop, need_immediate_service=True),
        endpoint=Reply.Endpoint.IMMEDIATE,
        payload={"message": message},
    )
    ReplyAttempt.objects.create(
        reply=reply,
        number=1,
        started_at=timezone.now(),
        duration_ms=12,
        outcome=ReplyAttempt.Outcome.RETRYABLE,
        http_status=500,
        wechat_code="SYSTEM_ERROR",
        wechat_message="系统错误",
        request_id="08F5B8C2B506102C18FD-0",
    )

    page = login(client, boss).get(reverse("messaging:history")).content.decode()

    assert 'data-testid="normal-message"' in page and "退款已发起" in page
    assert "08F5B8C2B506102C18FD-0" in page and "SYSTEM_ERROR" in page


def test_csv_export_lists_the_filtered_replies_without_formulas(client, boss, shop):
    make_reply(make_complaint(shop), status=Reply.Status.FAILED, error_message="=cmd()")
    make_reply(make_complaint(shop), status=Reply.Status.DELIVERED, log_id="3002853")

    response = login(client, boss).get(reverse("messaging:history_csv"), {"status": "failed"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][0].startswith("提交时间") and len(rows) == 2
    assert rows[1][rows[0].index("错误信息")] == "'=cmd()"


def test_reply_status_follows_live_events_while_open_and_stops_when_delivered(client, worker, shop):
    reply = make_reply(make_complaint(shop))
    url = reverse("messaging:reply_status", args=[reply.pk])
    login(client, worker)

    queued_answer = client.get(url)
    queued = queued_answer.content.decode()
    Reply.objects.filter(pk=reply.pk).update(status=Reply.Status.DELIVERED, log_id="3002853201")
    delivered_answer = client.get(url)
    delivered = delivered_answer.content.decode()

    # Settled: the complaint page is told to re-read its timeline (htmx's HX-Trigger event).
    assert "HX-Trigger" not in queued_answer
    assert json.loads(delivered_answer["HX-Trigger"]) == {"complaint-replied": {}}
    assert 'hx-trigger="live"' in queued and 'data-status="queued"' in queued
    assert 'data-live="reply.changed"' in queued
    assert "hx-trigger" not in delivered and "3002853201" in delivered


def test_reply_status_shows_the_next_attempt_when_retrying(client, worker, shop):
    when = timezone.now() + timedelta(minutes=2)
    reply = make_reply(
        make_complaint(shop), status=Reply.Status.RETRYING, next_attempt_at=when, attempt_count=1
    )
    page = login(client, worker).get(reverse("messaging:reply_status", args=[reply.pk]))
    assert timezone.localtime(when).strftime("%H:%M:%S") in page.content.decode()


def test_failed_reply_shows_the_reason_and_can_be_sent_again(client, worker, shop):
    reply = make_reply(
        make_complaint(shop),
        status=Reply.Status.FAILED,
        error_code="PARAM_ERROR",
        error_message="输入源“/body/response_content”字符串规则校验失败",
    )
    login(client, worker)
    page = client.get(reverse("messaging:reply_status", args=[reply.pk])).content.decode()
    assert "response_content" in page and 'data-testid="reply-resend"' in page

    response = client.post(reverse("messaging:reply_resend", args=[reply.pk]))

    again = Reply.objects.exclude(pk=reply.pk).get()
    assert response.status_code == 200
    assert again.idempotent_id != reply.idempotent_id and again.payload == reply.payload
    assert 'data-status="queued"' in response.content.decode()


def test_another_merchants_reply_status_is_not_found(client, worker, other_shop):
    reply = make_reply(make_complaint(other_shop))
    login(client, worker)
    assert client.get(reverse("messaging:reply_status", args=[reply.pk])).status_code == 404
    assert client.post(reverse("messaging:reply_resend", args=[reply.pk])).status_code == 404


def test_reply_status_needs_work_complaints(client, shop):
    admin = make_user("admin-x", ADMIN)
    assign(admin, shop)
    reply = make_reply(make_complaint(shop))
    response = login(client, admin).get(reverse("messaging:reply_status", args=[reply.pk]))
    assert response.status_code == 403


def test_every_page_that_renders_normal_messages_has_their_styles(client, boss, shop):
    """The history renders replies as the user saw them: it needs the renderer's stylesheet."""
    client.force_login(boss)

    page = client.get(reverse("messaging:history")).content.decode()

    assert "css/normal_message" in page
