"""Agents' alerts reach the right people and no one else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from automation.models import Alert
from complaints.services import complaint_ingest
from console.roles import ADMIN, AGENT, SUPERVISOR
from tests.automation.conftest import assign, wechat_complaint, wechat_history
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(merchant, other_merchant):
    """Two agents and a supervisor on the merchant; an agent of another merchant; an admin
    assigned to the merchant (admins do not work complaints); an unassigned agent."""
    people = {
        "agent1": make_user("agent1", AGENT),
        "agent2": make_user("agent2", AGENT),
        "boss": make_user("boss", SUPERVISOR),
        "elsewhere": make_user("elsewhere", AGENT),
        "admin": make_user("admin1", ADMIN),
        "idle": make_user("idle", AGENT),
    }
    for name in ("agent1", "agent2", "boss", "admin"):
        assign(people[name], merchant)
    assign(people["elsewhere"], other_merchant)
    return people


def alerted(kind: str | None = None) -> set[str]:
    alerts = Alert.objects.all() if kind is None else Alert.objects.filter(kind=kind)
    return set(alerts.values_list("user__username", flat=True))


def test_a_new_immediate_complaint_alerts_every_agent_of_its_merchant_only(merchant, team):
    complaint_ingest(
        merchant=merchant, data=wechat_complaint(merchant.mchid, need_immediate_service=True)
    )

    assert alerted(Alert.Kind.IMMEDIATE) == {"agent1", "agent2", "boss"}


def test_an_ordinary_complaint_alerts_no_one(merchant, team):
    complaint_ingest(merchant=merchant, data=wechat_complaint(merchant.mchid))

    assert alerted() == set()


def test_a_redelivered_complaint_does_not_alert_twice(merchant, team):
    data = wechat_complaint(merchant.mchid, need_immediate_service=True)
    complaint_ingest(merchant=merchant, data=data)
    complaint_ingest(merchant=merchant, data=data.model_copy(update={"user_complaint_times": 2}))

    assert Alert.objects.count() == 3


def test_a_new_user_message_alerts_the_owner_only(merchant, team):
    data = wechat_complaint(merchant.mchid)
    complaint = complaint_ingest(merchant=merchant, data=data)
    complaint.assignee = team["agent2"]
    complaint.save(update_fields=["assignee"])

    complaint_ingest(
        merchant=merchant,
        data=data.model_copy(update={"incoming_user_response": True}),
        history=[wechat_history("L-1", "USER_RESPONSE", operate_details="怎么还没处理")],
    )

    (alert,) = Alert.objects.all()
    assert (alert.user.username, alert.kind) == ("agent2", Alert.Kind.USER_MESSAGE)
    assert "怎么还没处理" in alert.text


def test_the_same_user_message_seen_again_does_not_alert_again(merchant, team):
    data = wechat_complaint(merchant.mchid)
    complaint = complaint_ingest(merchant=merchant, data=data)
    complaint.assignee = team["agent1"]
    complaint.save(update_fields=["assignee"])
    message = wechat_history("L-1", "USER_RESPONSE")

    complaint_ingest(merchant=merchant, data=data, history=[message])
    complaint_ingest(
        merchant=merchant,
        data=data.model_copy(update={"user_complaint_times": 2}),
        history=[message, wechat_history("L-2", "MERCHANT_RESPONSE", operator="商户")],
    )

    assert Alert.objects.count() == 1


def test_a_user_message_on_an_unowned_complaint_alerts_no_one(merchant, team):
    data = wechat_complaint(merchant.mchid)
    complaint_ingest(merchant=merchant, data=data)

    complaint_ingest(merchant=merchant, data=data, history=[wechat_history("L-1")])

    assert alerted() == set()


# --- the alerts endpoint ------------------------------------------------------------------


def login(client, user) -> None:
    client.force_login(user)


def test_the_alerts_endpoint_lists_only_my_unread_alerts(client, merchant, team):
    complaint = complaint_ingest(
        merchant=merchant, data=wechat_complaint(merchant.mchid, need_immediate_service=True)
    )
    login(client, team["agent1"])

    page = client.get(reverse("automation:alerts")).content.decode()

    assert complaint.complaint_id in page
    assert 'data-alerts-count="1"' in page
    login(client, team["elsewhere"])
    assert 'data-alerts-count="0"' in client.get(reverse("automation:alerts")).content.decode()


def test_the_alerts_endpoint_is_a_fragment_for_htmx_and_a_page_when_opened(client, merchant, team):
    complaint = complaint_ingest(
        merchant=merchant, data=wechat_complaint(merchant.mchid, need_immediate_service=True)
    )
    login(client, team["agent1"])

    fragment = client.get(reverse("automation:alerts"), HTTP_HX_REQUEST="true").content.decode()
    page = client.get(reverse("automation:alerts")).content.decode()

    assert "<html" not in fragment and complaint.complaint_id in fragment
    assert "<html" in page and 'data-testid="alerts-page"' in page
    assert complaint.complaint_id in page


def test_opening_an_alert_marks_it_read_and_goes_to_the_complaint(client, merchant, team):
    complaint = complaint_ingest(
        merchant=merchant, data=wechat_complaint(merchant.mchid, need_immediate_service=True)
    )
    alert = Alert.objects.get(user=team["agent1"])
    login(client, team["agent1"])

    answer = client.post(reverse("automation:alert_open", args=[alert.pk]))

    assert answer.status_code == 302
    assert answer["Location"] == reverse("complaints:detail", args=[complaint.pk])
    alert.refresh_from_db()
    assert alert.read_at is not None
    assert Alert.objects.filter(read_at=None).count() == 2  # the others' stay unread


def test_someone_elses_alert_cannot_be_opened(client, merchant, team):
    complaint_ingest(
        merchant=merchant, data=wechat_complaint(merchant.mchid, need_immediate_service=True)
    )
    alert = Alert.objects.get(user=team["agent1"])
    login(client, team["agent2"])

    assert client.post(reverse("automation:alert_open", args=[alert.pk])).status_code == 404


def test_dismissing_marks_all_my_alerts_read(client, merchant, team):
    complaint_ingest(
        merchant=merchant, data=wechat_complaint(merchant.mchid, need_immediate_service=True)
    )
    login(client, team["boss"])

    client.post(reverse("automation:alerts_read"), HTTP_HX_REQUEST="true")

    assert alerted() == {"agent1", "agent2", "boss"}
    assert set(Alert.objects.filter(read_at=None).values_list("user__username", flat=True)) == {
        "agent1",
        "agent2",
    }


def immediate_alerts_for(merchant, user, count: int) -> list[Alert]:
    for _ in range(count):
        complaint_ingest(
            merchant=merchant, data=wechat_complaint(merchant.mchid, need_immediate_service=True)
        )
    return list(Alert.objects.filter(user=user).order_by("created_at", "id"))


def test_dismissing_one_alert_leaves_my_others_unread(client, merchant, team):
    first, second = immediate_alerts_for(merchant, team["agent1"], 2)
    login(client, team["agent1"])

    page = client.post(
        reverse("automation:alerts_read"), {"alert": str(first.pk)}, HTTP_HX_REQUEST="true"
    ).content.decode()

    unread = Alert.objects.filter(user=team["agent1"], read_at=None)
    assert list(unread.values_list("pk", flat=True)) == [second.pk]
    assert 'data-alerts-count="1"' in page
    assert f'data-alert-id="{second.pk}"' in page and f'data-alert-id="{first.pk}"' not in page


def test_dismissing_someone_elses_alert_changes_nothing(client, merchant, team):
    (theirs,) = immediate_alerts_for(merchant, team["agent1"], 1)
    login(client, team["agent2"])

    client.post(reverse("automation:alerts_read"), {"alert": str(theirs.pk)}, HTTP_HX_REQUEST="1")

    assert Alert.objects.filter(read_at__isnull=False).count() == 0


def test_a_malformed_alert_id_dismisses_nothing_rather_than_everything(client, merchant, team):
    immediate_alerts_for(merchant, team["agent1"], 2)
    login(client, team["agent1"])

    client.post(reverse("automation:alerts_read"), {"alert": "1; drop"}, HTTP_HX_REQUEST="true")

    assert Alert.objects.filter(user=team["agent1"], read_at=None).count() == 2


def test_the_alerts_panel_lists_the_newest_first_with_open_and_dismiss(client, merchant, team):
    older, newer = immediate_alerts_for(merchant, team["agent1"], 2)
    login(client, team["agent1"])

    page = client.get(reverse("automation:alerts")).content.decode()

    assert page.index(f'data-alert-id="{newer.pk}"') < page.index(f'data-alert-id="{older.pk}"')
    assert reverse("automation:alert_open", args=[older.pk]) in page
    assert f'{{"alert": "{older.pk}"}}' in page  # its own dismiss button
    assert 'data-testid="alerts-dismiss-all"' in page


def test_no_unread_alerts_says_so(client, team):
    login(client, team["agent1"])

    page = client.get(reverse("automation:alerts")).content.decode()

    assert 'data-testid="alerts-empty"' in page and 'data-testid="alert"' not in page


def test_the_alert_area_is_on_every_page_for_agents_only(client, team):
    login(client, team["agent1"])
    assert 'data-testid="alerts"' in client.get(reverse("home"), follow=True).content.decode()
    login(client, team["admin"])
    assert 'data-testid="alerts"' not in client.get(reverse("home"), follow=True).content.decode()
    assert client.get(reverse("automation:alerts")).status_code == 403
