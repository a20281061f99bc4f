"""Browsing the audit log: who may, what it shows, and the filters."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from console.models import AuditEvent
from console.services import audit_record
from devtools.keygen import generate_apiv3_key, generate_merchant_keypair
from merchants.models import Merchant
from merchants.services import assignment_add, credential_add
from tests.fixtures.users import make_user
from tests.merchants.conftest import PLATFORM_PUBLIC_KEY_ID, Material, parsed_from, vector_platform

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def material() -> Material:
    public_pem, cert_pem = vector_platform()
    keypair = generate_merchant_keypair("1900000109")
    return Material(keypair, generate_apiv3_key(), PLATFORM_PUBLIC_KEY_ID, public_pem, cert_pem)


@pytest.fixture
def events(admin_user, material):
    """A failed login, a credential added (and activated), an assignment and a role change."""
    merchant = Merchant.objects.create(mchid="1900000109", name="A")
    other = Merchant.objects.create(mchid="1900000200", name="B")
    credential_add(merchant=merchant, parsed=parsed_from(material), by=admin_user)
    agent = make_user("audit_agent", "agent")
    assignment_add(merchant=other, user=agent, by=admin_user)
    return merchant


def rows(response) -> list[str]:
    return [event.action for event in response.context["page"]]


def test_a_failed_login_is_recorded_with_the_ip(client):
    client.post(
        reverse("login"), {"username": "nobody", "password": "wrong"}, REMOTE_ADDR="10.1.2.3"
    )

    event = AuditEvent.objects.get(action="login.failed")
    assert (event.target_id, event.ip_address) == ("nobody", "10.1.2.3")


def test_an_admin_browses_every_event_newest_first(client, admin_user, events):
    client.force_login(admin_user)

    response = client.get(reverse("console:audit"))

    assert response.status_code == 200
    actions = rows(response)
    assert actions[0] == "assignment.added"
    assert {"credential.added", "credential.activated", "user.roles_changed"} <= set(actions)


def test_filtering_by_action_prefix_shows_only_those_events(client, admin_user, events):
    client.force_login(admin_user)

    response = client.get(reverse("console:audit"), {"action": "credential."})

    assert sorted(rows(response)) == ["credential.activated", "credential.added"]


def test_filtering_by_merchant_and_user(client, admin_user, events):
    client.force_login(admin_user)

    by_merchant = client.get(reverse("console:audit"), {"mchid": "1900000200"})
    by_actor = client.get(reverse("console:audit"), {"actor": "admin_a"})

    assert rows(by_merchant) == ["assignment.added"]
    assert set(rows(by_actor)) == {"credential.added", "credential.activated", "assignment.added"}


def test_filtering_by_date_range(client, admin_user, events):
    old = audit_record(action="merchant.updated", changes={"name": ["x", "y"]})
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    client.force_login(admin_user)
    day = (timezone.localdate() - timedelta(days=40)).isoformat()

    response = client.get(reverse("console:audit"), {"since": day, "until": day})

    assert rows(response) == ["merchant.updated"]


def test_the_page_shows_fingerprints_and_never_a_secret(client, admin_user, events, material):
    client.force_login(admin_user)

    page = client.get(reverse("console:audit"), {"action": "credential."}).content.decode()

    assert material.keypair.serial in page
    assert "BEGIN" not in page
    assert material.apiv3_key not in page


def test_an_agent_cannot_browse_the_audit_log(client, agent):
    client.force_login(agent)

    assert client.get(reverse("console:audit")).status_code == 403


def test_actions_and_targets_are_shown_in_words_with_their_codes_kept(client, admin_user, events):
    client.force_login(admin_user)
    client.cookies["django_language"] = "zh-hans"

    page = client.get(reverse("console:audit"), {"action": "credential.added"}).content.decode()

    assert '<td title="credential.added">添加API凭证</td>' in page
    assert "API凭证组" in page  # the target type
    assert rows(client.get(reverse("console:audit"), {"action": "credential.added"})) == [
        "credential.added"
    ]


def test_an_unknown_action_filter_is_a_form_error_not_a_crash(client, admin_user, events):
    client.force_login(admin_user)

    response = client.get(reverse("console:audit"), {"action": "no.such_action"})

    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


def test_every_audit_action_the_code_records_has_a_label():
    import re
    from pathlib import Path

    from console.audit_labels import ACTIONS, FAMILIES

    root = Path(__file__).resolve().parents[2]
    families = "|".join(prefix.rstrip(".") for prefix in FAMILIES)
    code = re.compile(rf'"((?:{families})\.[a-z_]+)"')
    recorded = {
        found
        for app in ["console", "merchants", "complaints", "messaging", "automation"]
        for path in (root / app).rglob("*.py")
        if path.name not in ("audit_labels.py", "events.py")  # live events are not audit actions
        for found in code.findall(path.read_text())
    }

    assert len(recorded) >= 20
    assert recorded <= set(ACTIONS), sorted(recorded - set(ACTIONS))
