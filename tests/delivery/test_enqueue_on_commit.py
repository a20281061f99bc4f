"""The delivery message is published only when the reply row is committed."""

from __future__ import annotations

import uuid

import pytest
import redis
from django.conf import settings
from django.db import transaction

from messaging.models import Reply
from messaging.services.replies import reply_submit
from tests.delivery.conftest import make_complaint, make_merchant


def queued_messages() -> int:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return broker.llen(settings.CELERY_TASK_DEFAULT_QUEUE)


def submit(complaint) -> Reply:
    return reply_submit(
        complaint=complaint,
        author=None,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"response_content": "hello"},
        idempotent_id=uuid.uuid4(),
    )


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_submit_sends_nothing():
    complaint = make_complaint(make_merchant())
    before = queued_messages()

    with pytest.raises(RuntimeError), transaction.atomic():
        submit(complaint)
        assert queued_messages() == before  # not before commit
        raise RuntimeError("the caller's transaction fails")

    assert queued_messages() == before
    assert not Reply.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_submit_enqueues_one_delivery():
    complaint = make_complaint(make_merchant())
    before = queued_messages()

    submit(complaint)

    assert queued_messages() == before + 1
