"""The live stream over real HTTP (uvicorn, Redis pub/sub): who hears what, and resuming."""

from __future__ import annotations

import time

import pytest
import requests
from django.conf import settings
from django.test import Client

from console import events
from console.models import LiveEvent
from tests.complaints.conftest import assign, make_complaint, make_merchant
from tests.fixtures.sse import Stream
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def open_stream(base_url: str, user, **params: str) -> Stream:
    return Stream(base_url, session_of(user), **params)


@pytest.fixture
def team(db):
    mine, theirs = make_merchant(), make_merchant()
    agent, stranger = make_user("agent_live", "agent"), make_user("agent_other", "agent")
    assign(agent, mine)
    assign(stranger, theirs)
    return mine, theirs, agent, stranger


def test_stream_says_ready_then_carries_the_news_of_its_merchants_only(live_server, team):
    mine, theirs, agent, _ = team
    stream = open_stream(live_server.url, agent)
    try:
        assert stream.response.headers["Content-Type"].startswith("text/event-stream")
        assert stream.next_message()[0] == "ready"
        hidden = make_complaint(theirs)
        shown = make_complaint(mine)
        events.announce(events.HISTORY_ADDED, merchant_id=theirs.pk, complaint_id=hidden.pk)
        events.announce(events.HISTORY_ADDED, merchant_id=mine.pk, complaint_id=shown.pk)
        seen = stream.changes_until(shown.pk)
    finally:
        stream.close()
    assert [m["complaint_id"] for m in seen] == [shown.pk]
    assert seen[0]["kind"] == "history.added"
    assert set(seen[0]) == {"id", "kind", "merchant_id", "complaint_id"}  # ids, nothing else


def test_an_alert_event_reaches_only_the_user_it_belongs_to(live_server, team):
    mine, _, agent, _ = team
    colleague = make_user("agent_colleague", "agent")
    assign(colleague, mine)
    marker = make_complaint(mine)
    stream = open_stream(live_server.url, agent)
    try:
        stream.next_message()
        events.announce(events.ALERT_CHANGED, merchant_id=mine.pk, user_id=colleague.pk)
        events.announce(events.ALERT_CHANGED, merchant_id=mine.pk, user_id=agent.pk)
        events.announce(events.NOTE_ADDED, merchant_id=mine.pk, complaint_id=marker.pk)
        seen = stream.changes_until(marker.pk)
    finally:
        stream.close()
    assert [(m["kind"], m.get("user_id")) for m in seen] == [
        ("alert.changed", agent.pk),
        ("note.added", None),
    ]


def test_a_reconnecting_stream_resumes_after_its_last_event_id(live_server, team):
    mine, theirs, agent, _ = team
    complaints = [make_complaint(mine) for _ in range(3)]
    events.announce(events.COMPLAINT_CHANGED, merchant_id=mine.pk, complaint_id=complaints[0].pk)
    last_seen = LiveEvent.objects.latest("pk").pk
    # While the browser was away: two changes of its merchant, one of another.
    events.announce(events.COMPLAINT_CHANGED, merchant_id=mine.pk, complaint_id=complaints[1].pk)
    events.announce(events.COMPLAINT_CHANGED, merchant_id=theirs.pk, complaint_id=-1)
    events.announce(events.COMPLAINT_CHANGED, merchant_id=mine.pk, complaint_id=complaints[2].pk)

    stream = open_stream(live_server.url, agent, last_event_id=str(last_seen))
    try:
        assert stream.next_message()[0] == "ready"
        seen = stream.changes_until(complaints[2].pk)
    finally:
        stream.close()
    assert [m["complaint_id"] for m in seen] == [complaints[1].pk, complaints[2].pk]
    assert all(int(m["id"]) > last_seen for m in seen)


def test_a_stream_that_missed_more_than_the_log_holds_is_told_to_reread(live_server, team):
    mine, _, agent, _ = team
    events.announce(events.COMPLAINT_CHANGED, merchant_id=mine.pk, complaint_id=1)
    events.announce(events.COMPLAINT_CHANGED, merchant_id=mine.pk, complaint_id=2)
    LiveEvent.objects.filter(complaint_id=1).delete()  # pruned: the log starts after the gap
    stream = open_stream(live_server.url, agent, last_event_id="1")
    try:
        assert stream.next_message()[0] == "ready"
        assert stream.next_message()[0] == "reset"
    finally:
        stream.close()


def test_malformed_resume_parameters_get_a_400_and_strangers_a_403(live_server, team):
    _, _, agent, _ = team
    stream = open_stream(live_server.url, agent, last_event_id="not-a-number")
    assert stream.response.status_code == 400
    assert "Malformed" in stream.response.text or "参数" in stream.response.text
    anonymous = requests.get(
        f"{live_server.url}/complaints/stream/", allow_redirects=False, timeout=10
    )
    assert anonymous.status_code == 403
    assert "登录" in anonymous.text


def test_a_stream_ends_when_its_session_is_signed_out_and_hears_a_new_merchant(
    live_server, team, settings
):
    from django.contrib.sessions.models import Session

    settings.LIVE_STREAM_RECHECK_SECONDS = 1
    mine, theirs, agent, _ = team
    session = session_of(agent)
    stream = Stream(live_server.url, session)
    try:
        assert stream.next_message()[0] == "ready"
        assign(agent, theirs)  # assigned meanwhile: heard without reconnecting
        time.sleep(1.5)
        complaint = make_complaint(theirs)
        events.announce(events.NOTE_ADDED, merchant_id=theirs.pk, complaint_id=complaint.pk)
        assert stream.changes_until(complaint.pk)[-1]["merchant_id"] == theirs.pk

        Session.objects.filter(session_key=session).delete()  # signed out elsewhere
        with pytest.raises(AssertionError, match="stream ended"):
            stream.next_message()
    finally:
        stream.close()


def test_a_stream_on_a_complaint_page_keeps_its_viewer_present_until_it_closes(live_server, team):
    from complaints.services import present_on

    mine, _, agent, _ = team
    complaint = make_complaint(mine)
    stream = open_stream(live_server.url, agent, complaint=str(complaint.pk))
    try:
        assert stream.next_message()[0] == "ready"
        assert [p["user_id"] for p in present_on(complaint.pk)] == [agent.pk]
    finally:
        stream.close()
    deadline = time.monotonic() + 10
    while present_on(complaint.pk) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert present_on(complaint.pk) == []
