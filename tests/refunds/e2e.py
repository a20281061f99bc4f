"""Helpers of the refund tests over real HTTP: sandbox complaints mirrored with their orders, the
worker told where the console's refund webhook is, and waiting for the console."""

from __future__ import annotations

import json
import secrets
import time

from complaints.models import Complaint
from merchants.models import Merchant
from tests.factories import make_complaint

# Compressed for the tests: short backoff; leases above the client's 10 s read timeout.
REFUND_DELIVERY = {
    "backoff_base": 0.2,
    "backoff_cap": 1.0,
    "lease_seconds": 14.0,
    "queue_lease_seconds": 20.0,
    "max_attempts": 40,
}


def worker_env(monkeypatch, live_server) -> None:
    """Before a worker starts: the notify_url it sends is the live console's refund webhook."""
    monkeypatch.setenv("TEST_CONSOLE_PUBLIC_URL", live_server.url.replace("localhost", "127.0.0.1"))
    monkeypatch.setenv("REFUND_DELIVERY", json.dumps(REFUND_DELIVERY))


def sandbox_order_complaint(
    sandbox, merchant: Merchant, *, amount: int, problem_type: str = "OTHERS", **options
) -> Complaint:
    """A complaint filed in the sandbox (its order paid `amount` fen), mirrored as sync would."""
    digits = str(secrets.randbelow(10**24)).zfill(24)
    order = {"transaction_id": f"4200{digits}", "out_trade_no": f"T{digits[:20]}", "amount": amount}
    overrides = {"complaint_order_info": [order]}
    if problem_type == "REFUND":
        overrides["apply_refund_amount"] = amount
    (complaint_id,) = sandbox.control.create_complaints(
        merchant.mchid, 1, problem_type=problem_type, **overrides, **options
    )
    (order,) = sandbox.control.orders(complaint_id=complaint_id)
    info = {
        "transaction_id": order["transaction_id"],
        "out_trade_no": order["out_trade_no"],
        "amount": order["total"],
    }
    return make_complaint(
        merchant,
        complaint_id=complaint_id,
        problem_type=problem_type,
        transaction_id=order["transaction_id"],
        out_trade_no=order["out_trade_no"],
        amount=order["total"],
        complaint_order_info=[info],
    )


def wait_for(condition, timeout: float = 60.0, what: str = "the console"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def sandbox_refunds(sandbox, out_refund_no: str) -> list[dict]:
    return sandbox.control.refunds(out_refund_no=out_refund_no)
