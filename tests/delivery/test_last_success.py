"""The merchant's "last successful call" moves with every successful call, not only tests."""

from __future__ import annotations

import uuid

import pytest

from merchants.models import Merchant
from messaging.models import Reply, ReplyAttempt
from messaging.services.delivery import reply_deliver
from messaging.services.replies import reply_submit
from tests.delivery.conftest import sandbox_complaint


@pytest.fixture(autouse=True)
def no_limits(settings):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False


def test_a_delivered_reply_moves_last_successful_call(sandbox, wired, agent):
    Merchant.objects.filter(pk=wired.pk).update(last_success_at=None)
    complaint = sandbox_complaint(sandbox, wired)
    reply = reply_submit(
        complaint=complaint,
        author=agent,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"response_content": "您好，已处理。"},
        idempotent_id=uuid.uuid4(),
    )

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.DELIVERED

    wired.refresh_from_db()
    assert wired.last_success_at is not None
    assert wired.last_success_at >= reply.created_at


def test_a_failed_delivery_leaves_last_successful_call_alone(sandbox, wired, agent, settings):
    settings.REPLY_DELIVERY = {"backoff_base": 0.001, "backoff_cap": 0.001, "max_attempts": 1}
    Merchant.objects.filter(pk=wired.pk).update(last_success_at=None)
    complaint = sandbox_complaint(sandbox, wired)
    Merchant.objects.filter(pk=wired.pk).update(api_base_url="http://127.0.0.1:9")
    reply = reply_submit(
        complaint=complaint,
        author=agent,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"response_content": "您好，已处理。"},
        idempotent_id=uuid.uuid4(),
    )

    assert reply_deliver(reply_id=reply.pk) != ReplyAttempt.Outcome.DELIVERED

    wired.refresh_from_db()
    assert wired.last_success_at is None
