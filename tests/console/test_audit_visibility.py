"""Who reads which audit events: admins all, supervisors their merchants' events and their team's
sign-ins, agents none. Filters only narrow what a user may read (README "Security")."""

import pytest
from django.urls import reverse

from console import selectors
from console.roles import ADMIN, AGENT, SUPERVISOR
from console.services import audit_record
from tests.factories import assign, logged_in, make_merchant
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail():
    """Merchants A and B, a supervisor and an agent on each, and events of every kind."""
    a, b = make_merchant("1900000301"), make_merchant("1900000302")
    users = {
        "sup_a": make_user("sup_alpha", SUPERVISOR),
        "agent_a": make_user("agent_alpha", AGENT),
        "sup_b": make_user("sup_bravo", SUPERVISOR),
        "agent_b": make_user("agent_bravo", AGENT),
        "admin": make_user("root_admin", ADMIN),
    }
    for name, merchant in [("sup_a", a), ("agent_a", a), ("sup_b", b), ("agent_b", b)]:
        assign(users[name], merchant)
    for merchant in (a, b):
        tag = merchant.mchid
        audit_record(action="reply_template.created", mchid=tag, changes={"name": f"tpl-{tag}"})
        audit_record(
            action="credential.added",
            mchid=tag,
            target_type="credential_set",
            changes={"certificate_serial": f"SERIAL-{tag}", "apiv3_key_last4": tag[-4:]},
        )
        audit_record(action="complaint.phone_revealed", mchid=tag, target_id=f"2002{tag}")
    for username in ["agent_alpha", "agent_bravo", "nobody_at_all"]:
        audit_record(action="login.failed", target_type="user", target_id=username)
    audit_record(action="user.created", target_type="user", changes={"username": "new_hire"})
    return a, b, users


def visible(user) -> set[tuple[str, str, str]]:
    return {
        (event.action, event.mchid, event.target_id)
        for event in selectors.audit_events(user=user, filters={})
    }


def test_a_supervisor_reads_their_merchants_events_and_their_teams_sign_ins(trail):
    a, b, users = trail

    seen = visible(users["sup_b"])

    assert {mchid for _, mchid, _ in seen} == {b.mchid, ""}
    assert {(action, target) for action, mchid, target in seen if not mchid} == {
        ("login.failed", "agent_bravo")
    }
    assert ("credential.added", b.mchid, "") in seen


def test_a_supervisor_never_reads_another_merchants_credential_events(trail):
    a, b, users = trail

    assert not [e for e in visible(users["sup_b"]) if e[1] == a.mchid]


def test_an_admin_reads_every_event(trail):
    a, b, users = trail

    seen = visible(users["admin"])

    assert {mchid for _, mchid, _ in seen} == {a.mchid, b.mchid, ""}
    assert ("login.failed", "", "nobody_at_all") in seen
    assert ("user.created", "", "") in seen


def test_an_agent_reads_nothing_even_through_the_selector(trail):
    _, _, users = trail

    assert visible(users["agent_b"]) == set()


def test_the_merchant_filter_cannot_reach_another_merchant(trail):
    a, b, users = trail
    client = logged_in(users["sup_b"])

    page = client.get(reverse("console:audit"), {"mchid": a.mchid})
    body = page.content.decode()

    assert page.status_code == 200
    assert list(page.context["page"]) == []
    assert f"SERIAL-{a.mchid}" not in body and f"tpl-{a.mchid}" not in body


def test_the_audit_page_shows_a_supervisor_nothing_of_another_merchant(trail):
    a, b, users = trail
    client = logged_in(users["sup_b"])

    body = client.get(reverse("console:audit")).content.decode()

    assert f"SERIAL-{b.mchid}" in body and "agent_bravo" in body
    for leak in [a.mchid, f"SERIAL-{a.mchid}", f"tpl-{a.mchid}", "agent_alpha", "nobody_at_all"]:
        assert leak not in body, leak


def test_a_supervisor_with_no_merchant_reads_nothing(trail):
    loner = make_user("sup_unassigned", SUPERVISOR)

    assert visible(loner) == set()
