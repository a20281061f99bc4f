"""Concurrent claims over real HTTP: exactly one agent wins."""

from __future__ import annotations

import threading

import pytest
import requests
from django.conf import settings
from django.test import Client

from complaints.models import Complaint, TimelineEvent
from tests.complaints.conftest import assign, make_complaint
from tests.fixtures.users import make_user

CSRF = "a" * 32  # a valid CSRF secret: the header repeats the cookie


def http_session(user) -> requests.Session:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = requests.Session()
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies['sessionid'].value}; "
    cookie += f"{settings.CSRF_COOKIE_NAME}={CSRF}"
    session.headers.update({"Cookie": cookie, "X-CSRFToken": CSRF, "HX-Request": "true"})
    return session


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_have_one_winner(live_server, merchant):
    complaint = make_complaint(merchant)
    agents = [make_user(f"racer{n}", "agent") for n in range(6)]
    for agent in agents:
        assign(agent, merchant)
    sessions = [http_session(agent) for agent in agents]
    url = f"{live_server.url}/complaints/{complaint.pk}/claim/"
    barrier = threading.Barrier(len(sessions))
    statuses: list[int] = []

    def claim(session: requests.Session) -> None:
        barrier.wait()
        statuses.append(session.post(url, data={"fragment": "row"}, timeout=20).status_code)

    threads = [threading.Thread(target=claim, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * len(sessions)
    winner = Complaint.objects.get(pk=complaint.pk).assignee
    assert winner in agents
    claims = TimelineEvent.objects.filter(complaint=complaint, kind="claimed")
    assert [event.actor for event in claims] == [winner]
