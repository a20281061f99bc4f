"""Live console: event → browser latency, idle traffic and memory per open stream.

Creates a scratch PostgreSQL database, starts ONE web process (uvicorn, Redis pub/sub) and, for
each connection count, opens that many streams as one agent would (plain SSE clients, plus a few
real Chromium pages on the queue when --browsers > 0). Then it changes state through the real
services, as the Celery worker does after a WeChat notification (a complaint arrives, history
is ingested, a reply is queued) and raises alerts, each kind --events times, and measures from
just before the service call until each client has the event. Prints p50/p95 per event kind and
connection count, the memory the web process gains per open stream, and the requests an idle
tab makes per minute (Chromium on the queue and on a complaint page, counted for --idle-seconds).

    .venv/bin/python bench/live.py [--connections 1,50,500] [--events 20] [--browsers 3]

Last line: `worst_p95_ms=X connections=N idle_requests_per_tab_min=Y`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("BENCH_DB", "bench_live")
os.environ["DJANGO_SETTINGS_MODULE"] = "console.settings.test"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ["CELERY_QUEUE"] = f"bench-live-{os.getpid()}"
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Playwright's sync API runs an event loop in this thread; the services here are plain sync code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import psycopg  # noqa: E402
import requests  # noqa: E402

from bench.live_clients import StreamClients, idle_requests_per_minute, open_browsers  # noqa: E402

KINDS = ("complaint.arrived", "history.added", "reply.changed", "alert.changed")


def fresh_database() -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {DB_NAME}")


def setup() -> tuple:
    import django
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from tests.complaints.conftest import assign, make_complaint, make_merchant
    from tests.fixtures.users import make_user

    merchant = make_merchant()
    agent = make_user("bench_agent", "agent")
    assign(agent, merchant)
    session = SessionStore()
    session["_auth_user_id"] = str(agent.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = agent.get_session_auth_hash()
    session["console_signed_in_at"] = session["console_active_at"] = time.time()
    session.create()
    return merchant, agent, session.session_key, make_complaint(merchant)


def start_web() -> tuple[subprocess.Popen, str]:
    from tests.fixtures.asgi_server import free_port

    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "console.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--backlog", "4096",
         "--timeout-graceful-shutdown", "2"],
        cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{url}/healthz", timeout=5)
            return web, url
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fire(kind: str, merchant, agent, complaint) -> int:
    """One change through the services the worker uses; returns the marker complaint id."""
    from django.db import transaction

    from complaints.services import complaint_upsert
    from complaints.services.ingest import history_ingest
    from console import events
    from messaging.services.replies import reply_submit
    from tests.complaints.conftest import make_complaint, wechat_complaint, wechat_history

    if kind == "complaint.arrived":
        with transaction.atomic():
            data = wechat_complaint(complainted_mchid=merchant.mchid)
            return complaint_upsert(merchant=merchant, data=data).complaint.pk
    target = make_complaint(merchant)
    if kind == "history.added":
        history_ingest(complaint=target, entries=[wechat_history(uuid.uuid4().hex)])
    elif kind == "reply.changed":
        reply_submit(
            complaint=target, author=agent, endpoint="response",
            payload={"response_content": "您好"}, idempotent_id=uuid.uuid4(),
        )  # fmt: skip
    else:
        events.announce(
            events.ALERT_CHANGED, merchant_id=merchant.pk, complaint_id=target.pk, user_id=agent.pk
        )
    return target.pk


def measure(args, url: str, session: str, web_pid: int, merchant, agent, complaint, n: int):
    before = rss_kib(web_pid)
    in_chromium = args.browsers if n > args.browsers else 0  # a few of the N are real pages
    clients = StreamClients(url, session, n - in_chromium)
    browsers = open_browsers(url, session, in_chromium) if in_chromium else None
    clients.wait_ready()
    per_stream_kib = (rss_kib(web_pid) - before) / max(clients.count, 1)
    sent: dict[int, tuple[str, float]] = {}
    for kind in KINDS:
        for _ in range(args.events):
            started = time.time()
            marker = fire(kind, merchant, agent, complaint)
            sent[marker] = (kind, started)
            time.sleep(args.gap)
    latencies = clients.latencies(sent, timeout=30)
    if browsers:
        for kind, values in browsers.latencies(sent, timeout=30).items():
            latencies[f"{kind} (chromium)"] = values
        browsers.close()
    clients.close()
    return latencies, per_stream_kib


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", default="1,50,500")
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.05)
    parser.add_argument("--browsers", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=30)
    args = parser.parse_args()
    fresh_database()
    merchant, agent, session, complaint = setup()
    web, url = start_web()
    worst = (0.0, 0)
    try:
        print(f"one uvicorn process, Redis pub/sub, PostgreSQL; {os.cpu_count()} cores")
        for n in (int(x) for x in args.connections.split(",")):
            latencies, per_stream = measure(
                args, url, session, web.pid, merchant, agent, complaint, n
            )
            print(f"connections={n} memory_per_stream_kib={per_stream:.0f}")
            for kind, values in sorted(latencies.items()):
                if not values:
                    print(f"  {kind:32} no deliveries")
                    continue
                p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
                print(f"  {kind:32} n={len(values):6} p50_ms={p50:7.1f} p95_ms={p95:7.1f}")
                worst = max(worst, (p95, n))
        idle = idle_requests_per_minute(url, session, complaint.pk, args.idle_seconds)
        print(f"idle requests per tab per minute (Chromium, queue and complaint page): {idle:.1f}")
    finally:
        web.terminate()
        web.wait(timeout=10)
    print(
        f"worst_p95_ms={worst[0]:.0f} connections={worst[1]} idle_requests_per_tab_min={idle:.1f}"
    )


if __name__ == "__main__":
    main()
