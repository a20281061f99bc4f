"""Reply delivery throughput: Redis, real Celery worker processes and the sandbox, limits off.

Creates a scratch PostgreSQL database, starts the sandbox, registers the test merchant with real
credentials, then for 1, 2 and 4 worker processes submits N immediate-service replies through
`reply_submit` (row, then a Celery message on commit) and waits until each has its log_id.
Prints replies per second (a full queue) and queue-to-log_id latency p50/p99 (replies submitted
one by one at half that rate, so latency is delivery time, not backlog; the full-queue latencies
are printed too) per worker count, next to the floor
measured in the same run: the RSA work one reply needs on this machine (the console signs the
request and verifies the answer; the sandbox verifies the request and signs the answer).

    .venv/bin/python bench/delivery.py [--replies 500] [--workers 1,2,4]

Last line: `replies_per_s=X p99_ms=Y floor_replies_per_s=Z` for the best worker count.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# bench/ holds queue.py (another bench): never let it shadow the standard library's queue.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("BENCH_DB", "bench_delivery")  # the smoke test uses its own
os.environ["DJANGO_SETTINGS_MODULE"] = "console.settings.test"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ["CELERY_QUEUE"] = f"bench-delivery-{os.getpid()}"
os.environ["WECHATPAY_RATE_LIMITS_ENABLED"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import psycopg  # noqa: E402
import requests  # noqa: E402

MESSAGE = {
    "blocks": [
        {"type": "TEXT", "text": {"text": "您好，我们已收到您的投诉，正在为您处理。"}},
        {
            "type": "BUTTON",
            "button": {
                "text": "已解决",
                "action": {
                    "action_type": "ACTION_TYPE_SEND_MESSAGE",
                    "message_info": {"content": "我的问题已解决"},
                    "action_id": "resolved",
                },
            },
        },
    ]
}


def fresh_database() -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {DB_NAME}")


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def start_sandbox(data_dir: str):
    from tests.fixtures.sandbox import SandboxProcess, _free_port

    return SandboxProcess(_free_port(), Path(data_dir), args=("--no-rate-limits",))


def wire(sandbox, complaints: int):
    from tests.delivery.conftest import make_complaint, wire_merchant
    from tests.fixtures.sandbox import register_vector_merchant

    merchant = wire_merchant(register_vector_merchant(sandbox))
    ids = sandbox.control.create_complaints(merchant.mchid, complaints, need_immediate_service=True)
    return merchant, [
        make_complaint(merchant, complaint_id=cid, need_immediate_service=True) for cid in ids
    ]


def submit(complaints: list, count: int, threads: int = 2) -> list[int]:
    """Submit `count` replies from a few threads (one submitter would be the bottleneck)."""
    from django.db import connection

    from messaging.models import Reply
    from messaging.services.replies import reply_submit

    ids: list[int] = []
    lock = threading.Lock()

    def run(part: int) -> None:
        try:
            for i in range(part, count, threads):
                reply = reply_submit(
                    complaint=complaints[i % len(complaints)],
                    author=None,
                    endpoint=Reply.Endpoint.IMMEDIATE,
                    payload={"message": MESSAGE},
                    idempotent_id=uuid.uuid4(),
                )
                with lock:
                    ids.append(reply.pk)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(p,)) for p in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return ids


def wait_delivered(ids: list[int], timeout: float) -> None:
    from messaging.models import Reply

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = Reply.objects.filter(pk__in=ids).exclude(status=Reply.Status.DELIVERED).count()
        if left == 0:
            return
        time.sleep(0.1)
    raise SystemExit(f"{left} replies not delivered within {timeout} s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def latencies_ms(ids: list[int]) -> tuple[list[float], float]:
    """Queue-to-log_id latency of each reply, and the span from first queued to last delivered."""
    from messaging.models import Reply

    rows = list(Reply.objects.filter(pk__in=ids).values_list("created_at", "delivered_at"))
    latencies = [(done - queued).total_seconds() * 1000 for queued, done in rows]
    span = (max(d for _, d in rows) - min(q for q, _ in rows)).total_seconds()
    return latencies, span


def submit_paced(complaints: list, count: int, per_second: float) -> list[int]:
    """One reply at a time at a steady rate, so latency is delivery time rather than backlog."""
    ids: list[int] = []
    start = time.monotonic()
    for i in range(count):
        time.sleep(max(0.0, start + i / per_second - time.monotonic()))
        ids += submit(complaints[i % len(complaints) :], 1, threads=1)
    return ids


def measure(complaints: list, processes: int, replies: int) -> dict[str, float]:
    from tests.fixtures.celery_worker import WorkerProcess

    worker = WorkerProcess(concurrency=processes, name=f"bench{processes}").start()
    try:
        wait_delivered(submit(complaints, 20), 60)  # warm: imports, pools, connections
        burst = submit(complaints, replies)  # throughput: the queue is never empty
        wait_delivered(burst, 600)
        burst_latencies, span = latencies_ms(burst)
        rate = len(burst) / span
        paced = submit_paced(complaints, min(100, replies), rate / 2)  # latency at half load
        wait_delivered(paced, 600)
        paced_latencies, _ = latencies_ms(paced)
    finally:
        worker.stop()
    return {
        "processes": processes,
        "replies_per_s": rate,
        "burst_p50_ms": statistics.median(burst_latencies),
        "burst_p99_ms": percentile(burst_latencies, 0.99),
        "p50_ms": statistics.median(paced_latencies),
        "p99_ms": percentile(paced_latencies, 0.99),
    }


def rsa_floor(seconds: float = 2.0) -> tuple[float, float]:
    """Replies per second that the RSA work alone allows on one core: per reply the console
    signs once and verifies once, and so does the sandbox. Also returns signs per second."""
    from tests.fixtures.sandbox import vector_merchant_keys
    from wechatpay import crypto

    key = crypto.load_private_key(vector_merchant_keys()["private_key_pem"])
    public = key.public_key()
    body = json.dumps({"message": MESSAGE}, ensure_ascii=False)
    message = crypto.request_message("POST", "/v3/x", "1796000000", "N" * 32, body)
    signature = crypto.sign(key, message)
    signs = 0
    start = time.process_time()
    while time.process_time() - start < seconds / 2:
        crypto.sign(key, message)
        signs += 1
    sign_s = (time.process_time() - start) / signs
    verifies = 0
    start = time.process_time()
    while time.process_time() - start < seconds / 2:
        crypto.verify(public, message, signature)
        verifies += 1
    verify_s = (time.process_time() - start) / verifies
    return 1 / (2 * sign_s + 2 * verify_s), 1 / sign_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=500)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--complaints", type=int, default=20)
    args = parser.parse_args()

    fresh_database()
    setup_django()
    with tempfile.TemporaryDirectory() as data_dir:
        sandbox = start_sandbox(data_dir)
        try:
            requests.post(
                sandbox.base_url + "/_sandbox/settings", json={"rate_limits": False}, timeout=10
            )
            _, complaints = wire(sandbox, args.complaints)
            results = []
            for processes in (int(n) for n in args.workers.split(",")):
                result = measure(complaints, processes, args.replies)
                results.append(result)
                print(
                    f"workers={processes} replies={args.replies} "
                    f"replies_per_s={result['replies_per_s']:.1f} "
                    f"p50_ms={result['p50_ms']:.0f} p99_ms={result['p99_ms']:.0f} "
                    f"(at half that rate; with a full queue: "
                    f"p50_ms={result['burst_p50_ms']:.0f} p99_ms={result['burst_p99_ms']:.0f})",
                    flush=True,
                )
            floor, signs = rsa_floor()
        finally:
            sandbox.stop()
    print(f"rsa: signs_per_s={signs:.0f} floor (2 signs + 2 verifies per reply, one core)")
    best = max(results, key=lambda r: r["replies_per_s"])
    print(
        f"replies_per_s={best['replies_per_s']:.1f} p99_ms={best['p99_ms']:.0f} "
        f"floor_replies_per_s={floor:.0f}"
    )


if __name__ == "__main__":
    main()
