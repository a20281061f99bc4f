"""Presence in the real cache (Redis): a page is present while its stream lives; whatever arrives
after the stream ended (its own renewal, the page's mode post) never brings the person back, and
people touching the same complaint at once never erase each other."""

from __future__ import annotations

import threading

import pytest

from complaints.services import (
    presence_leave,
    presence_page_id,
    presence_touch,
    present_on,
)
from tests.complaints.conftest import make_complaint
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(merchant):
    return make_complaint(merchant)


def seen(complaint) -> dict[str, str]:
    return {p["name"]: p["mode"] for p in present_on(complaint.pk)}


def test_a_renewal_after_the_stream_ended_does_not_bring_the_agent_back(complaint):
    agent = make_user("renewing", "agent")
    page, stream = presence_page_id(), presence_page_id()
    presence_touch(complaint_pk=complaint.pk, user=agent, page=page, stream=stream)
    assert seen(complaint) == {"renewing": "viewing"}

    presence_leave(complaint_pk=complaint.pk, user=agent, page=page, stream=stream)
    presence_touch(complaint_pk=complaint.pk, user=agent, page=page, stream=stream)  # in flight

    assert seen(complaint) == {}


def test_a_mode_post_after_leaving_does_not_revive_but_a_new_stream_remembers_it(complaint):
    agent = make_user("leaving", "agent")
    page, stream = presence_page_id(), presence_page_id()
    presence_touch(complaint_pk=complaint.pk, user=agent, page=page, stream=stream)
    presence_touch(complaint_pk=complaint.pk, user=agent, page=page, mode="composing")
    assert seen(complaint) == {"leaving": "composing"}

    presence_leave(complaint_pk=complaint.pk, user=agent, page=page, stream=stream)
    presence_touch(complaint_pk=complaint.pk, user=agent, page=page, mode="composing")
    assert seen(complaint) == {}

    # The same page reconnects (a dropped connection, the back button): present, still replying.
    presence_touch(complaint_pk=complaint.pk, user=agent, page=page, stream=presence_page_id())
    assert seen(complaint) == {"leaving": "composing"}


def test_two_pages_of_one_agent_count_until_both_are_closed(complaint):
    agent = make_user("two_tabs", "agent")
    first, second = presence_page_id(), presence_page_id()
    streams = {first: presence_page_id(), second: presence_page_id()}
    for page, stream in streams.items():
        presence_touch(complaint_pk=complaint.pk, user=agent, page=page, stream=stream)
    presence_touch(complaint_pk=complaint.pk, user=agent, page=second, mode="composing")
    assert seen(complaint) == {"two_tabs": "composing"}

    presence_leave(complaint_pk=complaint.pk, user=agent, page=second, stream=streams[second])
    assert seen(complaint) == {"two_tabs": "viewing"}
    presence_leave(complaint_pk=complaint.pk, user=agent, page=first, stream=streams[first])
    assert seen(complaint) == {}


def test_a_page_id_of_someone_else_changes_nothing(complaint):
    owner, other = make_user("owner_p", "agent"), make_user("other_p", "agent")
    page = presence_page_id()
    presence_touch(complaint_pk=complaint.pk, user=owner, page=page, stream=presence_page_id())

    presence_touch(complaint_pk=complaint.pk, user=other, page=page, mode="composing")
    presence_leave(complaint_pk=complaint.pk, user=other, page=page, stream=presence_page_id())

    assert seen(complaint) == {"owner_p": "viewing"}


def test_page_ids_that_are_not_ours_are_replaced():
    assert presence_page_id("0" * 32) == "0" * 32
    for hostile in ("", None, "x" * 32, "0" * 33, "../../etc", "0" * 31 + "G"):
        made = presence_page_id(hostile)
        assert made != hostile and len(made) == 32


def test_agents_arriving_at_once_are_all_present(complaint):
    agents = [make_user(f"crowd_{n}", "agent") for n in range(12)]
    start = threading.Barrier(len(agents))

    def arrive(agent):
        start.wait()
        presence_touch(
            complaint_pk=complaint.pk, user=agent, page=presence_page_id(), mode="composing"
        )

    threads = [threading.Thread(target=arrive, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen(complaint) == {agent.username: "composing" for agent in agents}


def test_a_page_that_expired_unrenewed_is_announced_gone_by_the_next_touch(
    complaint, monkeypatch, django_capture_on_commit_callbacks
):
    """A web process killed with its streams says nothing; the pages it served expire, and the
    next renewal by anyone on the complaint tells the others."""
    from complaints.services import presence
    from console.models import LiveEvent

    stranded, staying = make_user("stranded", "agent"), make_user("staying", "agent")
    clock = [1_000_000.0]
    monkeypatch.setattr(presence.time, "time", lambda: clock[0])
    page = presence_page_id()
    kwargs = {"complaint_pk": complaint.pk, "merchant_id": complaint.merchant_id}
    with django_capture_on_commit_callbacks(execute=True):
        presence_touch(user=stranded, page=page, stream=presence_page_id(), **kwargs)
        presence_touch(user=staying, page=presence_page_id(), stream=presence_page_id(), **kwargs)
    told = LiveEvent.objects.filter(kind="presence.changed").count()

    clock[0] += presence.TTL_SECONDS + 1  # nobody renewed the stranded page
    with django_capture_on_commit_callbacks(execute=True):
        presence_touch(user=staying, page=presence_page_id(), stream=presence_page_id(), **kwargs)

    assert LiveEvent.objects.filter(kind="presence.changed").count() == told + 1
    assert seen(complaint) == {"staying": "viewing"}
