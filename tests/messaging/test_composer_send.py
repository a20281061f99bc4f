"""Sending from the composer is one change: the reply row (with WeChat's exact body) and the
cleared draft commit together, or neither does."""

from __future__ import annotations

import uuid

import pytest

from messaging.models import Draft, Reply
from messaging.services.composer import composer_send
from messaging.services.drafts import draft_save
from messaging.services.replies import DuplicateIdempotencyError, StaleReplyError

MESSAGE = {"blocks": [{"type": "TEXT", "text": {"text": "您好"}}]}


def send(complaint, author, **overrides):
    values = {
        "complaint": complaint,
        "author": author,
        "payload": MESSAGE,
        "idempotent_id": uuid.uuid4(),
        "seen_activity_version": complaint.activity_version,
    }
    return composer_send(**{**values, **overrides})


def test_sending_writes_the_reply_and_clears_the_draft(complaint, agent_a):
    draft_save(complaint=complaint, author=agent_a, content=MESSAGE)

    reply = send(complaint, agent_a)

    assert reply.endpoint == Reply.Endpoint.IMMEDIATE
    assert reply.payload["message"] == MESSAGE
    assert reply.payload["idempotent_id"] == str(reply.idempotent_id)
    assert not Draft.objects.filter(complaint=complaint, author=agent_a).exists()


def test_a_plain_complaint_gets_a_response_body(plain_complaint, agent_a):
    reply = send(plain_complaint, agent_a, payload={"response_content": "您好"})

    assert reply.endpoint == Reply.Endpoint.RESPONSE
    assert reply.payload == {
        "complainted_mchid": plain_complaint.complainted_mchid,
        "response_content": "您好",
    }


def test_a_stale_send_keeps_the_draft_and_writes_no_reply(complaint, agent_a):
    draft_save(complaint=complaint, author=agent_a, content=MESSAGE)

    with pytest.raises(StaleReplyError):
        send(complaint, agent_a, seen_activity_version=complaint.activity_version - 1)

    assert Draft.objects.filter(complaint=complaint, author=agent_a).exists()
    assert not Reply.objects.exists()


def test_an_id_of_another_reply_keeps_the_draft(complaint, plain_complaint, agent_a):
    used = send(plain_complaint, agent_a, payload={"response_content": "您好"})
    draft_save(complaint=complaint, author=agent_a, content=MESSAGE)

    with pytest.raises(DuplicateIdempotencyError):
        send(complaint, agent_a, idempotent_id=used.idempotent_id)

    assert Draft.objects.filter(complaint=complaint, author=agent_a).exists()
