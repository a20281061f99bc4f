"""An agent's alert clears itself when its reason is gone, and the unread count stays exact."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from automation.models import Alert
from automation.services import alerts_sweep
from complaints.models import Complaint
from complaints.services import complaint_assign, complaint_claim, complaint_ingest
from console.roles import AGENT, SUPERVISOR
from messaging.models import Reply
from messaging.services.replies import reply_mark_delivered, reply_mark_failed, reply_submit
from tests.automation.conftest import assign, wechat_complaint, wechat_history
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(merchant):
    people = {
        "agent1": make_user("agent1", AGENT),
        "agent2": make_user("agent2", AGENT),
        "boss": make_user("boss", SUPERVISOR),
    }
    for user in people.values():
        assign(user, merchant)
    return people


def unread() -> set[str]:
    return set(Alert.objects.filter(read_at=None).values_list("user__username", flat=True))


def immediate(merchant) -> Complaint:
    return complaint_ingest(
        merchant=merchant, data=wechat_complaint(merchant.mchid, need_immediate_service=True)
    )


def reply(complaint, author, *, endpoint=Reply.Endpoint.RESPONSE, automatic=False) -> Reply:
    payload = (
        {"response_content": "您好，已为您处理"} if endpoint == Reply.Endpoint.RESPONSE else {}
    )
    return reply_submit(
        complaint=complaint,
        author=author,
        endpoint=endpoint,
        payload=payload,
        idempotent_id=uuid.uuid4(),
        is_automatic=automatic,
    )


def owned_with_message(merchant, owner, log_id="L-1"):
    """A complaint owned by `owner` on which the user just wrote (one USER_MESSAGE alert)."""
    data = wechat_complaint(merchant.mchid)
    complaint = complaint_ingest(merchant=merchant, data=data)
    complaint_claim(complaint_pk=complaint.pk, user=owner)
    complaint_ingest(merchant=merchant, data=data, history=[wechat_history(log_id)])
    assert unread() == {owner.username}
    return data, complaint


# --- a reply -----------------------------------------------------------------------------------


def test_a_reply_clears_everyones_immediate_service_alert(merchant, team):
    complaint = immediate(merchant)
    assert unread() == {"agent1", "agent2", "boss"}

    reply(complaint, team["agent1"])

    assert unread() == set()


def test_an_automatic_acknowledgement_clears_no_alert(merchant, team):
    complaint = immediate(merchant)

    reply(complaint, None, automatic=True)

    assert unread() == {"agent1", "agent2", "boss"}


def test_a_reply_that_failed_before_the_alert_answers_nothing(merchant, team):
    data = wechat_complaint(merchant.mchid, need_immediate_service=True)
    complaint = complaint_ingest(merchant=merchant, data=data)
    failed = reply(complaint, team["agent1"])
    failed.status = Reply.Status.SENDING
    reply_mark_failed(reply=failed, code="PARAM_ERROR", message="bad")
    Alert.objects.update(read_at=None)  # say they came back: a failed reply is no answer

    alerts_sweep()

    assert unread() == {"agent1", "agent2", "boss"}


def test_a_reply_after_the_users_message_clears_the_owners_alert(merchant, team):
    _data, complaint = owned_with_message(merchant, team["agent1"])

    reply(complaint, team["agent1"])

    assert unread() == set()


def test_a_message_written_after_the_reply_stays_unread(merchant, team):
    data, complaint = owned_with_message(merchant, team["agent1"])
    reply(complaint, team["agent1"])

    complaint_ingest(merchant=merchant, data=data, history=[wechat_history("L-2")])

    assert set(Alert.objects.filter(read_at=None).values_list("key", flat=True)) == {"L-2"}


def test_a_reply_sent_on_the_merchant_platform_clears_the_alert(merchant, team):
    data, _complaint = owned_with_message(merchant, team["agent1"])
    later = (timezone.localtime() + timedelta(seconds=5)).isoformat(timespec="seconds")

    complaint_ingest(
        merchant=merchant,
        data=data.model_copy(update={"complaint_state": "PROCESSING"}),
        history=[wechat_history("L-9", "MERCHANT_RESPONSE", operator="商户", operate_time=later)],
    )

    assert unread() == set()


def test_a_bots_reply_on_the_platform_answers_nothing(merchant, team):
    data, _complaint = owned_with_message(merchant, team["agent1"])
    later = (timezone.localtime() + timedelta(seconds=5)).isoformat(timespec="seconds")
    bot = wechat_history(
        "L-9",
        "MERCHANT_RESPONSE",
        operator="商户",
        operate_time=later,
        normal_message={"blocks": [], "sender_identity": "MACHINE"},
    )

    complaint_ingest(merchant=merchant, data=data, history=[bot])

    assert unread() == {"agent1"}


# --- claimed by someone else -------------------------------------------------------------------


def test_claiming_clears_the_others_alerts_and_keeps_the_claimers(merchant, team):
    complaint = immediate(merchant)

    complaint_claim(complaint_pk=complaint.pk, user=team["agent2"])

    assert unread() == {"agent2"}


def test_assigning_clears_everyone_but_the_new_owner(merchant, team):
    _data, complaint = owned_with_message(merchant, team["agent1"])

    complaint_assign(complaint_pk=complaint.pk, assignee_pk=team["agent2"].pk, by=team["boss"])

    assert unread() == set()  # agent1's message alert went with the complaint


# --- completed ---------------------------------------------------------------------------------


def test_completing_in_the_console_clears_every_alert(merchant, team):
    complaint = immediate(merchant)
    complete = reply(complaint, team["boss"], endpoint=Reply.Endpoint.COMPLETE)
    assert unread() == {"agent1", "agent2", "boss"}  # "processed" is asked, not yet done
    complete.status = Reply.Status.SENDING

    reply_mark_delivered(reply=complete, log_id="")

    assert unread() == set()


def test_completed_on_the_merchant_platform_clears_every_alert(merchant, team):
    data = wechat_complaint(merchant.mchid, need_immediate_service=True)
    complaint_ingest(merchant=merchant, data=data)

    complaint_ingest(
        merchant=merchant, data=data.model_copy(update={"complaint_state": "PROCESSED"})
    )

    assert unread() == set()


def test_the_sweep_clears_what_no_hook_saw(merchant, team):
    complaint = immediate(merchant)
    Complaint.objects.filter(pk=complaint.pk).update(complaint_state="PROCESSED")

    assert alerts_sweep() == 3
    assert unread() == set()


def test_an_alert_still_needed_is_not_swept(merchant, team):
    immediate(merchant)

    assert alerts_sweep() == 0
    assert unread() == {"agent1", "agent2", "boss"}


# --- the count ---------------------------------------------------------------------------------


def test_the_unread_count_is_exact_past_the_shown_alerts(client, merchant, team):
    complaints = [immediate(merchant) for _ in range(12)]
    client.force_login(team["agent1"])
    page = client.get(reverse("automation:alerts"), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-alerts-count="12"' in page
    assert page.count('data-testid="alert"') == 10  # shown; the count is all of them

    reply(complaints[0], team["agent2"])
    complaint_claim(complaint_pk=complaints[1].pk, user=team["agent2"])

    page = client.get(reverse("automation:alerts"), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-alerts-count="10"' in page
    assert complaints[0].complaint_id not in page and complaints[1].complaint_id not in page
