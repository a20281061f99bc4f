"""Failed logins: the username+IP lockout, the username-wide lockout across addresses (a
password spray), and the admins' unlock, which is audited."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from console.lockout import login_lock_state
from console.models import AuditEvent
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 6  # the username-wide limit in these tests (settings.LOGIN_USERNAME_FAILURE_LIMIT)


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = LIMIT
    settings.LOGIN_USERNAME_WINDOW_MINUTES = 60
    settings.AXES_FAILURE_LIMIT = 3


def attempt(username: str, password: str, ip: str):
    """One login from its own browser and address."""
    return Client().post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def spray(username: str, count: int, first: int = 1) -> None:
    for n in range(first, first + count):
        assert attempt(username, "wrong-password", f"10.0.0.{n}").status_code == 200


def test_one_address_is_locked_after_its_own_failures(agent):
    for _ in range(3):
        attempt(agent.username, "wrong", "10.9.9.9")

    assert attempt(agent.username, PASSWORD, "10.9.9.9").status_code == 429
    assert attempt(agent.username, PASSWORD, "10.1.1.1").status_code == 302  # another address


def test_a_spray_from_many_addresses_locks_the_username_everywhere(agent):
    spray(agent.username, LIMIT)

    refused = attempt(agent.username, PASSWORD, "192.168.7.7")

    assert refused.status_code == 429
    assert login_lock_state(agent.username).locked_everywhere


def test_fewer_failures_than_the_limit_leave_the_username_usable(agent):
    spray(agent.username, LIMIT - 1)

    assert attempt(agent.username, PASSWORD, "192.168.7.7").status_code == 302


def test_the_username_lock_is_audited_once_when_it_starts(agent):
    spray(agent.username, LIMIT)
    for n in range(2):  # refused attempts while locked add failures, not another lock entry
        assert attempt(agent.username, "wrong", f"10.0.1.{n}").status_code == 429

    locked = AuditEvent.objects.filter(action="login.locked", target_id=agent.username)
    assert locked.count() == 1
    assert locked.get().changes == {"failures": LIMIT, "scope": "username"}


def test_the_username_lock_ends_when_the_failures_leave_the_window(agent):
    spray(agent.username, LIMIT)

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert attempt(agent.username, PASSWORD, "192.168.7.7").status_code == 302


def test_an_admin_unlocks_a_sprayed_user_and_the_unlock_is_audited(agent, admin_user):
    spray(agent.username, LIMIT)
    admin = Client()
    admin.force_login(admin_user)

    response = admin.post(reverse("merchants:user_unlock", args=[agent.pk]))

    assert response.status_code == 302
    assert attempt(agent.username, PASSWORD, "192.168.7.7").status_code == 302
    unlock = AuditEvent.objects.get(action="login.unlocked")
    assert (unlock.actor, unlock.target_id) == (admin_user, agent.username)


def test_an_unlock_also_clears_the_address_lockouts(agent, admin_user):
    for _ in range(3):
        attempt(agent.username, "wrong", "10.9.9.9")
    admin = Client()
    admin.force_login(admin_user)

    admin.post(reverse("merchants:user_unlock", args=[agent.pk]))

    assert attempt(agent.username, PASSWORD, "10.9.9.9").status_code == 302


def test_the_user_pages_show_the_lock_and_the_unlock_button(agent, admin_user):
    spray(agent.username, LIMIT)
    admin = Client()
    admin.force_login(admin_user)
    admin.cookies["django_language"] = "en"

    listing = admin.get(reverse("merchants:users")).content.decode()
    page = admin.get(reverse("merchants:user_edit", args=[agent.pk])).content.decode()

    assert 'data-testid="locked-badge"' in listing
    assert "refused everywhere" in page and ">Unlock</button>" in page


def test_an_unlocked_user_page_offers_no_unlock(agent, admin_user):
    admin = Client()
    admin.force_login(admin_user)
    admin.cookies["django_language"] = "en"

    page = admin.get(reverse("merchants:user_edit", args=[agent.pk])).content.decode()

    assert "Not locked out" in page and ">Unlock</button>" not in page


def test_only_admins_may_unlock(agent, supervisor):
    spray(agent.username, LIMIT)
    other = Client()
    other.force_login(supervisor)

    assert other.post(reverse("merchants:user_unlock", args=[agent.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="login.unlocked").exists()
    assert login_lock_state(agent.username).locked_everywhere


def test_unlocking_is_post_only(agent, admin_user):
    admin = Client()
    admin.force_login(admin_user)

    assert admin.get(reverse("merchants:user_unlock", args=[agent.pk])).status_code == 405


def test_the_lockout_page_says_to_wait_or_ask_an_admin_in_chinese(agent):
    spray(agent.username, LIMIT)

    refused = attempt(agent.username, PASSWORD, "192.168.7.7").content.decode()

    assert "请管理员解除锁定" in refused
