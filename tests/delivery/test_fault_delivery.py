"""The fault test: real Redis, real worker processes, the sandbox, and everything going wrong.

1,000 replies over 20 complaints, and among them 200 refunds (5 partial refunds of each of 40
orders); ~20% of WeChat calls fail (500, 429, a delay past the client's timeout, an answer dropped
after the reply or refund was committed); one worker is SIGKILLed mid-run and the test's own Redis
broker is restarted once (it keeps nothing: every queued message is lost). The sandbox must end
with exactly 1,000 replies, no idempotent_id twice, every reply delivered with its log_id, and
exactly one refund per out_refund_no, all 200 arrived (by notification to the live console, or by
query).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter

import pytest
from django.db import close_old_connections

from messaging.models import Reply
from messaging.services.replies import reply_submit
from messaging.services.sweeper import reply_sweep
from refunds.models import Refund, RefundLimits
from refunds.services import refund_request, refund_sweep
from tests.delivery.conftest import sandbox_complaint, wire_merchant
from tests.refunds.e2e import sandbox_order_complaint

REPLIES = 1000
COMPLAINTS = 20
REFUNDS = 200
REFUNDED_ORDERS = 40  # 5 partial refunds of 1,000 fen each per 10,000 fen order
# Compressed for the test: short backoff, leases just above the client's 10 s read timeout.
DELIVERY = {
    "backoff_base": 0.2,
    "backoff_cap": 2.0,
    "lease_seconds": 14.0,
    "queue_lease_seconds": 20.0,
    "max_attempts": 40,
}
FAULTS = [  # about 20% of calls in all
    {"mode": "delay", "seconds": 11, "fraction": 0.02, "count": 6},
    {"mode": "system_error", "fraction": 0.065},
    {"mode": "rate_limited", "fraction": 0.065},
    {"mode": "drop_after_commit", "fraction": 0.065},
]


def delivered() -> int:
    close_old_connections()
    return Reply.objects.filter(status=Reply.Status.DELIVERED).count()


def refunded() -> int:
    return Refund.objects.filter(status=Refund.Status.SUCCESS).count()


def wait_for(count: int, deadline: float, refunds: int = 0) -> None:
    while (delivered() < count or refunded() < refunds) and time.monotonic() < deadline:
        reply_sweep()
        refund_sweep()
        time.sleep(0.5)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_reply_reaches_wechat_exactly_once_despite_faults(
    sandbox,
    sandbox_merchant,
    private_redis,
    start_worker,
    settings,
    monkeypatch,
    agent,
    live_server,
):
    monkeypatch.setenv("REPLY_DELIVERY", json.dumps(DELIVERY))
    # Refund notifications go to this test's live console; late ones are queried after 15 s.
    monkeypatch.setenv("TEST_CONSOLE_PUBLIC_URL", live_server.url.replace("localhost", "127.0.0.1"))
    monkeypatch.setenv("REFUNDS_QUERY_AFTER_SECONDS", "15")
    monkeypatch.setenv("WECHATPAY_RATE_LIMITS_ENABLED", "false")
    settings.REPLY_DELIVERY = DELIVERY
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False
    sandbox.control.settings(rate_limits=False)
    merchant = wire_merchant(sandbox_merchant)
    RefundLimits.objects.create(merchant=merchant, per_refund=10**9, per_day=10**9)
    complaints = [
        sandbox_complaint(sandbox, merchant, need_immediate_service=True) for _ in range(COMPLAINTS)
    ]
    orders = [
        sandbox_order_complaint(sandbox, merchant, amount=10000) for _ in range(REFUNDED_ORDERS)
    ]
    started = time.monotonic()
    # About 2 minutes on a quiet 2-core machine; shared machines are far slower, so the
    # deadline is generous and the elapsed time is printed.
    deadline = started + float(os.environ.get("FAULT_TEST_DEADLINE", 600))
    victim = start_worker(concurrency=4)
    start_worker(concurrency=4)
    sandbox.control.set_faults(*FAULTS)

    def submit(n: int, refunds: int) -> None:
        every = n // refunds
        for i in range(n):
            if i % every == 0:  # a refund among the replies: each order is refunded 5 times
                refund_request(
                    complaint=orders[Refund.objects.count() % REFUNDED_ORDERS],
                    user=agent,
                    amount=1000,
                    reason="退款",
                    request_key=uuid.uuid4(),
                )
            complaint = complaints[i % COMPLAINTS]
            message = {"blocks": [{"type": "TEXT", "text": {"text": f"回复 {uuid.uuid4().hex}"}}]}
            reply_submit(
                complaint=complaint,
                author=agent,
                endpoint=Reply.Endpoint.IMMEDIATE,
                payload={"message": message},
                idempotent_id=uuid.uuid4(),
            )

    try:
        submit(REPLIES // 2, REFUNDS // 2)
        assert private_redis.messages_pushed() > 0  # the broker this test restarts is the one used
        wait_for(REPLIES // 5, deadline)
        victim.kill()  # SIGKILL, mid-run: some of its replies and refunds are in flight
        start_worker(concurrency=4)
        submit(REPLIES // 2, REFUNDS // 2)
        wait_for(REPLIES // 2, deadline)
        private_redis.restart()  # loses every queued message and the unacked ones
        wait_for(REPLIES, deadline, refunds=REFUNDS)
    finally:
        sandbox.control.clear_faults()  # the sandbox is shared by the whole session
    elapsed = time.monotonic() - started

    close_old_connections()
    sent = sandbox.control.replies(mchid=merchant.mchid)
    ids = Counter(row["idempotent_id"] for row in sent)
    replies = list(Reply.objects.filter(merchant=merchant))
    statuses = Counter(reply.status for reply in replies)
    with_log_id = sum(1 for reply in replies if reply.log_id)
    attempts = sum(reply.attempt_count for reply in replies)
    print(
        f"\nfault test: sandbox_replies={len(sent)} distinct_idempotent_ids={len(ids)} "
        f"duplicated_idempotent_ids={sum(1 for n in ids.values() if n > 1)} "
        f"delivered={statuses[Reply.Status.DELIVERED]} with_log_id={with_log_id} "
        f"attempts={attempts} statuses={dict(statuses)} seconds={elapsed:.1f}"
    )
    assert len(sent) == REPLIES
    assert max(ids.values()) == 1
    assert statuses[Reply.Status.DELIVERED] == REPLIES
    assert {reply.log_id for reply in replies} == {row["log_id"] for row in sent}
    assert {str(reply.idempotent_id) for reply in replies} == set(ids)
    # Refunds: exactly one per out_refund_no at WeChat, none lost, every one arrived.
    made = sandbox.control.refunds(mchid=merchant.mchid)
    numbers = Counter(row["out_refund_no"] for row in made)
    refunds = list(Refund.objects.filter(merchant=merchant))
    print(
        f"fault test refunds: sandbox_refunds={len(made)} distinct={len(numbers)} "
        f"statuses={dict(Counter(r.status for r in refunds))} "
        f"attempts={sum(r.attempt_count for r in refunds)}"
    )
    assert len(refunds) == REFUNDS
    assert len(made) == REFUNDS and max(numbers.values()) == 1
    assert set(numbers) == {refund.out_refund_no for refund in refunds}
    assert all(row["status"] == "SUCCESS" for row in made)
    assert all(refund.status == Refund.Status.SUCCESS for refund in refunds)
