"""The limiter paces calls per merchant and endpoint, across threads (and processes: Redis)."""

from __future__ import annotations

import secrets
import threading
import time
import uuid

import pytest

from console.ratelimit import RateLimitTimeout, rate_limit_try, rate_limit_wait
from messaging.models import Reply
from messaging.services.delivery import reply_deliver
from messaging.services.replies import reply_submit


@pytest.fixture
def limits(settings):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = True
    settings.WECHATPAY_RATE_LIMITS = {"bench-endpoint": 600, "response": 1}
    return settings


def fresh_mchid() -> str:
    return "19" + str(secrets.randbelow(10**8)).zfill(8)


def test_limiter_holds_its_rate_under_contention(limits):
    mchid = fresh_mchid()
    admitted = 0
    lock = threading.Lock()
    started = time.monotonic()
    stop = started + 2.0

    def hammer() -> None:
        nonlocal admitted
        while time.monotonic() < stop:
            try:
                rate_limit_wait(mchid=mchid, endpoint="bench-endpoint", max_wait=0.5)
            except RateLimitTimeout:
                continue
            with lock:
                admitted += 1

    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    # 600 per minute = one call per 0.1 s slot, whichever of the six threads asks: never more
    # than one per slot, and no starvation either.
    assert admitted <= elapsed / 0.1 + 2  # a partly used slot at each end
    assert admitted >= 15


def test_second_call_in_a_slot_is_told_how_long_to_wait(limits):
    mchid = fresh_mchid()
    assert rate_limit_try(mchid=mchid, endpoint="response", now=120.0) == 0.0
    assert rate_limit_try(mchid=mchid, endpoint="response", now=130.0) == pytest.approx(50.0)
    assert rate_limit_try(mchid=mchid, endpoint="response", now=180.0) == 0.0


def test_merchants_and_endpoints_have_separate_limiters(limits):
    first, second = fresh_mchid(), fresh_mchid()
    assert rate_limit_try(mchid=first, endpoint="response", now=60.0) == 0.0
    assert rate_limit_try(mchid=second, endpoint="response", now=60.0) == 0.0
    assert rate_limit_try(mchid=first, endpoint="bench-endpoint", now=60.0) == 0.0


def test_limits_off_never_wait(settings):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False
    mchid = fresh_mchid()
    assert all(rate_limit_try(mchid=mchid, endpoint="response") == 0.0 for _ in range(50))


def test_delivery_waits_for_the_limiter_instead_of_calling(limits, complaint):
    # One call per 100 minutes: the two deliveries below can never straddle a slot boundary
    # (with one per minute they did, about once in a few hundred runs).
    limits.WECHATPAY_RATE_LIMITS = {"response": 0.01}
    replies = [
        reply_submit(
            complaint=complaint,
            author=None,
            endpoint=Reply.Endpoint.RESPONSE,
            payload={"response_content": f"reply {n}"},
            idempotent_id=uuid.uuid4(),
        )
        for n in range(2)
    ]
    reply_deliver(reply_id=replies[0].pk)  # takes the minute's slot (fails: no credentials)

    assert reply_deliver(reply_id=replies[1].pk) == "throttled"
    assert replies[1].attempts.count() == 0
    replies[1].refresh_from_db()
    assert replies[1].status == Reply.Status.QUEUED
