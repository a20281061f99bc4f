"""Supervisor events (deadlines, failed replies) and the e-mail digest."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from automation.models import Digest, SupervisorEvent
from automation.services import digest_send, supervisor_scan
from console.roles import AGENT, SUPERVISOR
from messaging.models import Reply
from messaging.services.replies import reply_mark_failed, reply_submit
from tests.automation.conftest import assign, make_complaint
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db
Kind = SupervisorEvent.Kind


@pytest.fixture
def boss(merchant):
    user = make_user("boss", SUPERVISOR)
    user.email = "boss@example.com"
    user.save(update_fields=["email"])
    assign(user, merchant)
    return user


def complaint_due_in(merchant, first: timedelta, complete: timedelta = timedelta(days=2), **kw):
    now = timezone.now()
    return make_complaint(
        merchant, first_reply_due_at=now + first, complete_due_at=now + complete, **kw
    )


def failed_reply(complaint) -> Reply:
    reply = reply_submit(
        complaint=complaint,
        author=None,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"response_content": "您好"},
        idempotent_id=uuid.uuid4(),
    )
    reply.status = Reply.Status.SENDING
    reply_mark_failed(reply=reply, code="PARAM_ERROR", message="response_content too long")
    return reply


def kinds_of(complaint) -> set[str]:
    return set(SupervisorEvent.objects.filter(complaint=complaint).values_list("kind", flat=True))


def test_scan_records_due_soon_and_overdue_first_replies(merchant, settings):
    settings.AUTOMATION_FIRST_REPLY_WARNING_MINUTES = 60
    soon = complaint_due_in(merchant, timedelta(minutes=30))
    late = complaint_due_in(merchant, timedelta(minutes=-5))
    fine = complaint_due_in(merchant, timedelta(hours=5))
    answered = complaint_due_in(merchant, timedelta(minutes=-5), first_replied_at=timezone.now())

    supervisor_scan()

    assert kinds_of(soon) == {Kind.FIRST_REPLY_AT_RISK}
    assert kinds_of(late) == {Kind.FIRST_REPLY_OVERDUE}
    assert kinds_of(fine) == kinds_of(answered) == set()


def test_scan_records_completion_deadlines_until_processed(merchant, settings):
    settings.AUTOMATION_COMPLETE_WARNING_MINUTES = 60
    open_one = complaint_due_in(
        merchant, timedelta(hours=-40), timedelta(minutes=-1), first_replied_at=timezone.now()
    )
    done = complaint_due_in(
        merchant, timedelta(hours=-40), timedelta(minutes=-1), complaint_state="PROCESSED"
    )

    supervisor_scan()

    assert Kind.COMPLETE_OVERDUE in kinds_of(open_one)
    assert kinds_of(done) == set()


def test_an_event_is_recorded_once_however_often_the_scan_runs(merchant):
    complaint_due_in(merchant, timedelta(minutes=-5))

    assert supervisor_scan() == 1
    assert supervisor_scan() == 0
    assert SupervisorEvent.objects.count() == 1


def test_due_soon_then_overdue_are_two_events(merchant, settings):
    settings.AUTOMATION_FIRST_REPLY_WARNING_MINUTES = 60
    complaint = complaint_due_in(merchant, timedelta(minutes=30))
    supervisor_scan()

    supervisor_scan(now=timezone.now() + timedelta(minutes=31))

    assert kinds_of(complaint) == {Kind.FIRST_REPLY_AT_RISK, Kind.FIRST_REPLY_OVERDUE}


def test_a_reply_that_failed_for_good_is_an_event(merchant):
    complaint = complaint_due_in(merchant, timedelta(hours=10))
    reply = failed_reply(complaint)

    supervisor_scan()

    event = SupervisorEvent.objects.get(kind=Kind.REPLY_FAILED)
    assert event.reply == reply and event.complaint == complaint


def test_the_digest_is_one_mail_per_supervisor_grouping_every_event(merchant, boss):
    late = complaint_due_in(merchant, timedelta(minutes=-5))
    soon = complaint_due_in(merchant, timedelta(minutes=5))
    failed_reply(complaint_due_in(merchant, timedelta(hours=10)))
    supervisor_scan()

    digest = digest_send()

    assert digest.event_count == 3
    (message,) = mail.outbox
    assert message.to == ["boss@example.com"]
    assert late.complaint_id in message.body and soon.complaint_id in message.body
    body = message.body
    with translation.override(settings.LANGUAGE_CODE):  # digests are written in the team's language
        at_risk, failed = str(Kind.FIRST_REPLY_AT_RISK.label), str(Kind.REPLY_FAILED.label)
    assert body.index(at_risk) < body.index(late.complaint_id)
    assert failed in body
    assert not SupervisorEvent.objects.filter(digested_at=None).exists()


def test_the_digest_never_sends_an_event_twice(merchant, boss):
    complaint_due_in(merchant, timedelta(minutes=-5))
    supervisor_scan()
    digest_send()

    supervisor_scan()
    assert digest_send() is None

    complaint = complaint_due_in(merchant, timedelta(minutes=-1))
    supervisor_scan()
    digest_send()
    assert len(mail.outbox) == 2
    assert complaint.complaint_id in mail.outbox[1].body
    assert mail.outbox[1].body.count("\n- ") == 1


def test_the_digest_goes_only_to_supervisors_of_the_merchant(merchant, other_merchant, boss):
    other_boss = make_user("other_boss", SUPERVISOR)
    other_boss.email = "other@example.com"
    other_boss.save(update_fields=["email"])
    assign(other_boss, other_merchant)
    agent = make_user("agent9", AGENT)
    agent.email = "agent@example.com"
    agent.save(update_fields=["email"])
    assign(agent, merchant)
    complaint_due_in(merchant, timedelta(minutes=-5))
    supervisor_scan()

    digest_send()

    assert [m.to for m in mail.outbox] == [["boss@example.com"]]
    assert Digest.objects.get().recipients == ["boss"]


def test_a_failed_mail_leaves_the_events_for_the_next_digest(merchant, boss, settings):
    settings.EMAIL_BACKEND = "tests.automation.failing_mail.Backend"
    complaint_due_in(merchant, timedelta(minutes=-5))
    supervisor_scan()

    with pytest.raises(ConnectionError):
        digest_send()

    assert SupervisorEvent.objects.filter(digested_at=None).count() == 1
    assert not Digest.objects.exists()
