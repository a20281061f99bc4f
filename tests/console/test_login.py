import pytest
from django.urls import reverse

from console.models import AuditEvent
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_login_from_the_home_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_renders_in_chinese_by_default(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert 'lang="zh-hans"' in response.content.decode()


def test_login_page_renders_in_english_when_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})

    response = client.get(reverse("login"))

    assert "Log in" in response.content.decode()


def test_an_agent_logs_in_and_lands_on_a_page_of_their_role(client, agent):
    response = client.post(reverse("login"), {"username": agent.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/").status_code in (200, 302)


def test_a_wrong_password_shows_an_error_and_is_audited(client, agent):
    response = client.post(reverse("login"), {"username": agent.username, "password": "nope"})

    assert response.status_code == 200
    assert "form-errors" in response.content.decode()
    assert AuditEvent.objects.filter(action="login.failed", target_id=agent.username).exists()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, agent):
    for _ in range(5):
        client.post(reverse("login"), {"username": agent.username, "password": "wrong"})

    response = client.post(reverse("login"), {"username": agent.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_requires_post_and_ends_the_session(client, agent):
    client.force_login(agent)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_chinese_is_shown_even_when_the_browser_asks_for_english(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert 'lang="zh-hans"' in response.content.decode()


def test_a_user_changes_their_own_password_and_other_sessions_end(client, agent):
    from django.test import Client

    other_device = Client()
    other_device.force_login(agent)
    client.force_login(agent)
    new = "a-much-longer-passphrase-2026"

    wrong = client.post(reverse("password_change"), {
        "old_password": "not-it", "new_password1": new, "new_password2": new,
    })  # fmt: skip
    done = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new,
    })  # fmt: skip

    assert wrong.status_code == 200 and 'data-testid="error-old_password"' in wrong.content.decode()
    assert done.status_code == 302 and done["Location"] == reverse("password_change_done")
    agent.refresh_from_db()
    assert agent.check_password(new)
    assert client.get(reverse("password_change_done")).status_code == 200  # still signed in
    assert other_device.get("/").status_code == 302  # signed out elsewhere
    event = AuditEvent.objects.get(action="user.password_changed")
    assert event.actor == agent and new not in str(event.changes)


def test_a_weak_new_password_is_refused_with_the_reason(client, agent):
    client.force_login(agent)

    answer = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678",
    })  # fmt: skip

    assert answer.status_code == 200
    assert 'data-testid="error-new_password2"' in answer.content.decode()
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)
