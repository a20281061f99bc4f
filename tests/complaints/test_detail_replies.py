"""The complaint page shows each console reply's live delivery status: the messaging fragment,
rendered in place and polled while the reply is still on its way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.complaints.conftest import make_complaint, make_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(merchant):
    return make_complaint(merchant)


def login(client, user) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def status_block(page: str, reply) -> str:
    """The HTML of one reply's status fragment."""
    start = page.index(f'id="reply-status-{reply.pk}"')
    return page[start : page.index("</div>", start)]


def detail(client, complaint) -> str:
    return client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()


def test_a_queued_reply_shows_its_status_and_follows_its_live_events(
    client, working_agent, complaint
):
    reply = make_reply(complaint, working_agent)
    login(client, working_agent)

    block = status_block(detail(client, complaint), reply)

    assert 'data-status="queued"' in block
    assert f'hx-get="{reverse("messaging:reply_status", args=[reply.pk])}"' in block
    assert 'hx-trigger="live"' in block and "every" not in block  # pushed, not polled
    assert f'data-live="reply.changed" data-live-reply="{reply.pk}"' in block


def test_a_retrying_reply_shows_when_it_is_tried_next(client, working_agent, complaint):
    next_attempt = timezone.now() + timedelta(seconds=40)
    reply = make_reply(complaint, working_agent, status="retrying", next_attempt_at=next_attempt)
    login(client, working_agent)

    block = status_block(detail(client, complaint), reply)

    assert 'data-status="retrying"' in block
    assert timezone.localtime(next_attempt).strftime("%H:%M:%S") in block


def test_a_delivered_reply_shows_its_log_id_and_stops_polling(client, working_agent, complaint):
    reply = make_reply(
        complaint,
        working_agent,
        status="delivered",
        log_id="300285320260301100500000001",
        delivered_at=timezone.now(),
    )
    login(client, working_agent)

    block = status_block(detail(client, complaint), reply)

    assert 'data-status="delivered"' in block
    assert "300285320260301100500000001" in block
    assert "hx-trigger" not in block


def test_a_failed_reply_shows_the_reason_and_a_resend_action(client, working_agent, complaint):
    reply = make_reply(
        complaint,
        working_agent,
        status="failed",
        error_code="PARAM_ERROR",
        error_message="response_content 字节数 600，大于最大值 500",
        failed_at=timezone.now(),
    )
    login(client, working_agent)

    page = detail(client, complaint)

    assert 'data-testid="reply-failure-reason"' in page
    assert "response_content 字节数 600，大于最大值 500" in page
    assert f'hx-post="{reverse("messaging:reply_resend", args=[reply.pk])}"' in page


def test_the_refreshed_timeline_carries_the_status_too(client, working_agent, complaint):
    reply = make_reply(complaint, working_agent, status="sending", attempt_count=1)
    login(client, working_agent)

    fragment = client.get(reverse("complaints:timeline", args=[complaint.pk])).content.decode()

    assert 'data-status="sending"' in status_block(fragment, reply)


def test_a_console_reply_that_came_back_in_the_history_is_shown_once(complaint, working_agent):
    from complaints.models import HistoryEntry, TimelineEvent
    from complaints.selectors import complaint_timeline

    reply = make_reply(complaint, working_agent, status="delivered", log_id="LOG-SENT-1")
    TimelineEvent.objects.create(complaint=complaint, kind="reply_queued", actor=working_agent)
    TimelineEvent.objects.create(complaint=complaint, kind="note", actor=working_agent)
    for log_id, kind in [("LOG-SENT-1", "MERCHANT_RESPONSE"), ("LOG-USER-2", "USER_RESPONSE")]:
        HistoryEntry.objects.create(
            complaint=complaint, log_id=log_id, operator="x", operate_type=kind,
            operate_time=timezone.now(), operate_details="您好",
        )  # fmt: skip

    items = complaint_timeline(complaint)

    shown = [
        (item.source, getattr(item.obj, "log_id", getattr(item.obj, "kind", ""))) for item in items
    ]
    assert ("reply", "LOG-SENT-1") in shown
    assert ("wechat", "LOG-USER-2") in shown
    assert ("wechat", "LOG-SENT-1") not in shown  # the same message, already shown as the reply
    assert ("event", "note") in shown and ("event", "reply_queued") not in shown
    assert reply.pk == next(item.obj.pk for item in items if item.source == "reply")
