"""Supervisors' at-risk list: the deadline that applies now, only within its warning margin,
gone once answered or completed; on the page and in the digest."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from automation.at_risk import Deadline, at_risk, warning_margin
from automation.models import Digest, SupervisorEvent
from automation.services import digest_send, supervisor_scan
from complaints.models import Complaint
from console.roles import SUPERVISOR
from messaging.models import Reply
from messaging.services.replies import reply_mark_delivered, reply_submit
from tests.automation.conftest import assign, make_complaint
from tests.factories import logged_in
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db
Kind = SupervisorEvent.Kind


def listed(now=None) -> dict[str, str]:
    """complaint_id -> the deadline it is listed for."""
    now = now or timezone.now()
    return {c.complaint_id: c.deadline for c in at_risk(Complaint.objects.all(), now)}


def arrived(merchant, *, ago=timedelta(0), immediate=False, **fields) -> Complaint:
    """A complaint that arrived `ago`, with the deadlines ingestion would give it."""
    at = timezone.now() - ago
    first = timedelta(minutes=60) if immediate else timedelta(hours=24)
    values = {
        "complaint_time": at,
        "need_immediate_service": immediate,
        "first_reply_due_at": at + first,
        "complete_due_at": at + timedelta(hours=72),
    }
    return make_complaint(merchant, **{**values, **fields})


def answer(complaint: Complaint, author=None) -> None:
    """A human reply, delivered: the complaint is answered."""
    reply = reply_submit(
        complaint=complaint,
        author=author,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"response_content": "您好"},
        idempotent_id=uuid.uuid4(),
    )
    reply.status = Reply.Status.SENDING
    reply_mark_delivered(reply=reply, log_id="")


# --- which deadline, within which margin -------------------------------------------------------


def test_an_immediate_complaint_is_not_listed_as_it_arrives(merchant):
    complaint = arrived(merchant, immediate=True)

    assert complaint.complaint_id not in listed()


def test_an_immediate_complaint_is_listed_within_the_immediate_margin(merchant):
    inside = arrived(merchant, immediate=True, ago=timedelta(minutes=45))  # due in 15 min
    outside = arrived(merchant, immediate=True, ago=timedelta(minutes=35))  # due in 25 min

    assert listed() == {inside.complaint_id: Deadline.IMMEDIATE}
    assert outside.complaint_id not in listed()


def test_a_margin_wider_than_the_immediate_target_is_capped_at_half_of_it(merchant, settings):
    settings.AUTOMATION_IMMEDIATE_WARNING_MINUTES = 120
    fresh = arrived(merchant, immediate=True)
    halfway = arrived(merchant, immediate=True, ago=timedelta(minutes=31))

    assert warning_margin(Deadline.IMMEDIATE) == timedelta(minutes=30)
    assert listed() == {halfway.complaint_id: Deadline.IMMEDIATE}
    assert fresh.complaint_id not in listed()


def test_an_unanswered_complaint_is_listed_for_its_first_reply(merchant, settings):
    settings.AUTOMATION_FIRST_REPLY_WARNING_MINUTES = 120
    inside = arrived(merchant, ago=timedelta(hours=23))  # due in 1 h
    outside = arrived(merchant, ago=timedelta(hours=21))  # due in 3 h

    assert listed() == {inside.complaint_id: Deadline.FIRST_REPLY}
    assert outside.complaint_id not in listed()


def test_an_unanswered_complaint_stays_on_its_first_reply_when_completion_nears(merchant):
    late = arrived(merchant, ago=timedelta(hours=70))  # first reply 46 h overdue

    assert listed() == {late.complaint_id: Deadline.FIRST_REPLY}


def test_an_answered_complaint_is_listed_for_completion_within_its_margin(merchant, settings):
    settings.AUTOMATION_COMPLETE_WARNING_MINUTES = 720
    answered = timezone.now() - timedelta(hours=50)
    inside = arrived(merchant, ago=timedelta(hours=62), first_replied_at=answered)  # due in 10 h
    outside = arrived(merchant, ago=timedelta(hours=58), first_replied_at=answered)  # in 14 h

    assert listed() == {inside.complaint_id: Deadline.COMPLETION}
    assert outside.complaint_id not in listed()


def test_an_overdue_complaint_leaves_the_list_the_moment_it_is_answered(merchant):
    complaint = arrived(merchant, immediate=True, ago=timedelta(hours=2))
    assert listed() == {complaint.complaint_id: Deadline.IMMEDIATE}

    answer(complaint)

    assert listed() == {}  # completion is 70 h away


def test_a_complaint_leaves_the_list_the_moment_it_is_completed(merchant):
    complaint = arrived(
        merchant, ago=timedelta(hours=71), first_replied_at=timezone.now() - timedelta(hours=60)
    )
    assert listed() == {complaint.complaint_id: Deadline.COMPLETION}
    complete = reply_submit(
        complaint=complaint,
        author=None,
        endpoint=Reply.Endpoint.COMPLETE,
        payload={},
        idempotent_id=uuid.uuid4(),
    )
    complete.status = Reply.Status.SENDING

    reply_mark_delivered(reply=complete, log_id="")

    assert listed() == {}


# --- the scan records the deadline that applies ------------------------------------------------


def test_the_scan_records_each_kind_for_the_deadline_that_applies(merchant):
    immediate = arrived(merchant, immediate=True, ago=timedelta(minutes=50))
    immediate_late = arrived(merchant, immediate=True, ago=timedelta(minutes=70))
    unanswered = arrived(merchant, ago=timedelta(hours=70))
    answered = arrived(
        merchant, ago=timedelta(hours=71), first_replied_at=timezone.now() - timedelta(hours=60)
    )

    supervisor_scan()

    kinds = dict(SupervisorEvent.objects.values_list("complaint__complaint_id", "kind"))
    assert kinds == {
        immediate.complaint_id: Kind.IMMEDIATE_AT_RISK,
        immediate_late.complaint_id: Kind.IMMEDIATE_OVERDUE,
        unanswered.complaint_id: Kind.FIRST_REPLY_OVERDUE,
        answered.complaint_id: Kind.COMPLETE_AT_RISK,
    }


# --- the page ----------------------------------------------------------------------------------


@pytest.fixture
def boss(merchant):
    user = make_user("boss", SUPERVISOR)
    assign(user, merchant)
    return user


def rows(client) -> str:
    return client.get(reverse("automation:supervisor")).content.decode()


def test_the_page_shows_which_deadline_applies(merchant, boss):
    immediate = arrived(merchant, immediate=True, ago=timedelta(minutes=70))
    first = arrived(merchant, ago=timedelta(hours=23))
    client = logged_in(boss)

    page = rows(client)

    assert f'data-deadline="immediate" data-complaint="{immediate.complaint_id}"' in page
    assert f'data-deadline="first_reply" data-complaint="{first.complaint_id}"' in page
    assert "Immediate-service target" in page and "First-reply deadline (24 h)" in page
    assert "Overdue" in page and "Due soon" in page


def test_an_answered_complaint_is_gone_from_the_page(merchant, boss):
    complaint = arrived(merchant, immediate=True, ago=timedelta(minutes=70))
    supervisor_scan()
    client = logged_in(boss)
    assert complaint.complaint_id in rows(client)

    answer(complaint, boss)

    assert complaint.complaint_id not in rows(client)


# --- the digest --------------------------------------------------------------------------------


def test_a_digest_with_no_recipient_says_so_on_the_page_and_warns(merchant, boss, caplog):
    complaint = arrived(merchant, immediate=True, ago=timedelta(minutes=70))
    supervisor_scan()  # the boss has no e-mail address

    with caplog.at_level(logging.INFO, logger="automation.services.supervision"):
        digest = digest_send()

    assert mail.outbox == [] and digest.recipients == []
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "NOT mailed" in record.getMessage() and merchant.mchid in record.getMessage()
    page = rows(logged_in(boss))
    assert complaint.complaint_id in page
    assert "Not sent: no supervisor with an e-mail address" in page
    assert "Sent " not in page


def test_the_page_says_to_whom_the_digest_went(merchant, boss, caplog):
    boss.email = "boss@example.com"
    boss.save(update_fields=["email"])
    arrived(merchant, immediate=True, ago=timedelta(minutes=70))
    supervisor_scan()

    with caplog.at_level(logging.INFO, logger="automation.services.supervision"):
        digest_send()

    assert SupervisorEvent.objects.get().sent_to == ["boss"]
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert "boss" in caplog.records[0].getMessage()
    page = rows(logged_in(boss))
    assert "to boss" in page and "Not sent" not in page


def test_the_digest_does_not_mail_a_deadline_answered_since_the_scan(merchant, boss):
    boss.email = "boss@example.com"
    boss.save(update_fields=["email"])
    complaint = arrived(merchant, immediate=True, ago=timedelta(minutes=70))
    supervisor_scan()
    answer(complaint, boss)

    assert digest_send() is None

    assert mail.outbox == [] and not Digest.objects.exists()
    assert not SupervisorEvent.objects.filter(digested_at=None).exists()
