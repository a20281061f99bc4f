"""Sessions end 12 h after sign-in and after 2 h without a request (console/sessions.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db

QUEUE = "/complaints/"


def signed_in(client, user, start):
    with time_machine.travel(start, tick=False):
        response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
    return client


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_defaults_are_twelve_hours_absolute_and_two_hours_idle():
    assert (settings.SESSION_MAX_AGE_MINUTES, settings.SESSION_IDLE_MINUTES) == (720, 120)


def test_a_session_survives_a_break_shorter_than_the_idle_timeout(client, agent):
    start = timezone.now()
    signed_in(client, agent, start)

    with time_machine.travel(start + timedelta(minutes=119), tick=False):
        response = client.get(QUEUE)

    assert response.status_code == 200


def test_two_hours_without_a_request_end_the_session(client, agent):
    start = timezone.now()
    signed_in(client, agent, start)

    with time_machine.travel(start + timedelta(minutes=121), tick=False):
        response = client.get(QUEUE)

    assert sent_to_login(response)
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_but_not_past_twelve_hours(client, agent):
    start = timezone.now()
    signed_in(client, agent, start)
    for minutes in range(90, 12 * 60, 90):  # a request every 90 minutes
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(QUEUE).status_code == 200, minutes

    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = client.get(QUEUE)

    assert sent_to_login(response)


def test_an_expired_htmx_request_reloads_the_page_on_the_login_form(client, agent):
    start = timezone.now()
    signed_in(client, agent, start)

    with time_machine.travel(start + timedelta(hours=3), tick=False):
        response = client.get(
            "/automation/alerts/",
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/complaints/"},
        )

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login") + "?next=/complaints/"


def test_signing_in_again_after_the_end_starts_the_clocks_afresh(client, agent):
    start = timezone.now()
    signed_in(client, agent, start)
    later = start + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        assert sent_to_login(client.get(QUEUE))
    signed_in(client, agent, later)

    with time_machine.travel(later + timedelta(minutes=90), tick=False):
        response = client.get(QUEUE)

    assert response.status_code == 200


@pytest.mark.parametrize("minutes", [30])
def test_the_limits_come_from_settings(client, agent, minutes):
    settings.SESSION_IDLE_MINUTES, saved = minutes, settings.SESSION_IDLE_MINUTES
    try:
        start = timezone.now()
        signed_in(client, agent, start)
        with time_machine.travel(start + timedelta(minutes=minutes + 1), tick=False):
            response = client.get(QUEUE)
    finally:
        settings.SESSION_IDLE_MINUTES = saved

    assert sent_to_login(response)
