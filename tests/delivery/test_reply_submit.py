"""reply_submit: the row, written once, before anything is sent."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from complaints.models import Complaint, TimelineEvent
from messaging.models import Reply
from messaging.services.replies import StaleReplyError, reply_resend, reply_submit

TEXT = {"response_content": "We have refunded your order."}


def submit(complaint, author=None, **overrides):
    values = {
        "complaint": complaint,
        "author": author,
        "endpoint": Reply.Endpoint.RESPONSE,
        "payload": dict(TEXT),
        "idempotent_id": uuid.uuid4(),
    }
    values.update(overrides)
    return reply_submit(**values)


def test_submit_writes_a_queued_row_with_the_frozen_body(complaint, agent):
    reply = submit(complaint, agent)

    reply.refresh_from_db()
    assert reply.status == Reply.Status.QUEUED
    assert reply.merchant_id == complaint.merchant_id
    assert reply.author == agent
    assert reply.payload == {**TEXT, "complainted_mchid": complaint.complainted_mchid}
    assert reply.attempts.count() == 0
    assert reply.lease_until is not None  # the sweeper's safety net is armed from the start


def test_immediate_service_body_carries_the_rows_idempotent_id(complaint, agent):
    key = uuid.uuid4()
    message = {"blocks": [{"type": "TEXT", "text": {"text": "hello"}}]}
    reply = submit(
        complaint,
        agent,
        endpoint=Reply.Endpoint.IMMEDIATE,
        payload={"message": message},
        idempotent_id=key,
    )

    assert reply.payload["idempotent_id"] == str(key) == str(reply.idempotent_id)
    assert reply.payload["message"] == message


def test_immediate_service_body_with_another_idempotent_id_is_refused(complaint, agent):
    with pytest.raises(ValueError):
        submit(
            complaint,
            agent,
            endpoint=Reply.Endpoint.IMMEDIATE,
            payload={"message": {}, "idempotent_id": str(uuid.uuid4())},
        )
    assert not Reply.objects.exists()


def test_submit_bumps_activity_version_and_adds_a_queued_event(complaint, agent):
    before = complaint.activity_version
    reply = submit(complaint, agent)

    assert Complaint.objects.get(pk=complaint.pk).activity_version == before + 1
    event = TimelineEvent.objects.get(complaint=complaint)
    assert event.kind == TimelineEvent.Kind.REPLY_QUEUED
    assert event.actor == agent
    assert event.data["reply_id"] == reply.pk


def test_double_submit_yields_one_reply(complaint, agent):
    key = uuid.uuid4()
    first = submit(complaint, agent, idempotent_id=key, seen_activity_version=0)
    second = submit(complaint, agent, idempotent_id=key, seen_activity_version=0)

    assert first.pk == second.pk
    assert Reply.objects.count() == 1
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.REPLY_QUEUED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_yields_one_reply(agent):
    from tests.delivery.conftest import make_complaint, make_merchant

    complaint = make_complaint(make_merchant())
    key = uuid.uuid4()
    barrier = threading.Barrier(4)
    results: list[object] = []

    def send() -> None:
        try:
            barrier.wait()
            results.append(submit(complaint, agent, idempotent_id=key).pk)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Reply.objects.count() == 1
    assert results == [Reply.objects.get().pk] * 4


def test_reply_after_new_activity_is_refused_as_stale(complaint, agent):
    Complaint.objects.filter(pk=complaint.pk).update(activity_version=5)

    with pytest.raises(StaleReplyError) as info:
        submit(complaint, agent, seen_activity_version=4)

    assert info.value.new_activity == 5
    assert not Reply.objects.exists()


def test_reply_with_current_activity_version_is_accepted(complaint, agent):
    Complaint.objects.filter(pk=complaint.pk).update(activity_version=5)

    submit(complaint, agent, seen_activity_version=5)

    assert Reply.objects.count() == 1


def test_unknown_endpoint_is_refused(complaint, agent):
    with pytest.raises(ValueError):
        submit(complaint, agent, endpoint="feedbacks")


def test_payload_must_be_a_dict(complaint, agent):
    with pytest.raises(ValueError):
        submit(complaint, agent, payload='{"response_content": "x"}')


def test_refund_body_gets_no_complainted_mchid(complaint, agent):
    reply = submit(complaint, agent, endpoint=Reply.Endpoint.REFUND, payload={"action": "REJECT"})
    assert reply.payload == {"action": "REJECT"}


def test_resend_of_a_failed_reply_is_a_new_reply_with_a_new_idempotent_id(complaint, agent):
    failed = submit(complaint, agent, endpoint=Reply.Endpoint.IMMEDIATE, payload={"message": {}})
    Reply.objects.filter(pk=failed.pk).update(status=Reply.Status.FAILED)
    failed.refresh_from_db()

    again = reply_resend(reply=failed, author=agent)

    assert again.pk != failed.pk
    assert again.idempotent_id != failed.idempotent_id
    assert again.payload["idempotent_id"] == str(again.idempotent_id)


def test_resending_the_same_failed_reply_twice_sends_it_once(complaint, agent):
    failed = submit(complaint, agent)
    Reply.objects.filter(pk=failed.pk).update(status=Reply.Status.FAILED)
    failed.refresh_from_db()

    first = reply_resend(reply=failed, author=agent)
    second = reply_resend(reply=failed, author=agent)  # a double click on "Send again"

    assert first.pk == second.pk
    assert Reply.objects.filter(complaint=complaint).count() == 2


def test_only_a_failed_reply_can_be_resent(complaint, agent):
    reply = submit(complaint, agent)
    with pytest.raises(ValueError):
        reply_resend(reply=reply, author=agent)
