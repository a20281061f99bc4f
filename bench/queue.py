"""Queue and detail page server time on a big database, and whether every query uses an index.

Creates a separate PostgreSQL database (`complaints_bench`), migrates it, seeds 100,000
complaints, 1,000,000 history entries (Chinese texts) and the search documents with COPY, then
renders every queue view, searches (ids, phone, amount, common/rare/absent two- and three-
character words, a phrase, two words) and the detail page in-process (Django test client) and
prints p50/p95, plus EXPLAIN of every query those pages ran (sequential scans on big tables,
indexes each search reads). The database is dropped at the end.

    .venv/bin/python bench/queue.py [--complaints 100000] [--history 1000000] [--runs 40]
                                    [--keep] [--profile PAGE]
`--keep` leaves the seeded database in place and reuses it on the next `--keep` run (for
iterating on one page with `--profile queue:open`). Big: `--complaints 1000000 --history
10000000` (BENCH_DB names the database).

Last line: `worst_p95_ms=X seq_scans=N` (goal: p95 <= 50 ms, no sequential scan on big tables).
"""

# ruff: noqa: E402 - the stdlib imports come after the sys.path fix below
from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib's `queue`: take its folder off the path before anything
# imports `queue` (psycopg does).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import json
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import search_data  # needs ROOT on the path

DB_NAME = os.environ.get("BENCH_DB", "complaints_bench")  # the smoke test uses its own
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BIG_TABLES = ("complaints_complaint", "complaints_historyentry", "complaints_complaintsearch")
MERCHANTS = 5
AGENTS = 20


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def database_exists() -> bool:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
        return found.fetchone() is not None


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "console.settings.test"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_people():
    from django.contrib.auth import get_user_model

    from console.services import user_set_roles
    from merchants.models import Merchant, MerchantAssignment

    merchants = [
        Merchant.objects.create(mchid=f"19000{n:05d}", name=f"Bench shop {n}")
        for n in range(MERCHANTS)
    ]
    users = []
    for n in range(AGENTS):
        user = get_user_model().objects.create_user(username=f"bench_agent_{n}", password="x")
        user_set_roles(user=user, roles=["agent"])
        MerchantAssignment.objects.bulk_create(
            [MerchantAssignment(user=user, merchant=m) for m in merchants]
        )
        users.append(user)
    return merchants, users


COMPLAINT_COLUMNS = [
    "merchant_id",
    "complaint_id",
    "complainted_mchid",
    "complaint_time",
    "complaint_detail",
    "complaint_state",
    "problem_description",
    "problem_type",
    "apply_refund_amount",
    "user_complaint_times",
    "complaint_full_refunded",
    "incoming_user_response",
    "in_platform_service",
    "need_immediate_service",
    "is_agent_mode",
    "payer_openid",
    "payer_phone_encrypted",
    "payer_phone_last4",
    "payer_phone_masked",
    "user_tag_list",
    "complaint_order_info",
    "service_order_info",
    "complaint_media_list",
    "transaction_id",
    "out_trade_no",
    "amount",
    "assignee_id",
    "first_reply_due_at",
    "complete_due_at",
    "first_replied_at",
    "completed_at",
    "sla_status",
    "activity_version",
    "created_at",
    "updated_at",
]
TEXTS = [
    "我8号在你们小程序买的蓝牙耳机，付款成功后一直显示待发货",
    "会员自动续费扣了我30块，我根本没有开通过自动续费",
    "充值了视频会员，付款成功了但是账号里没有会员",
    "收到的衣服颜色和图片差别很大，尺码也不对",
    "充电宝昨天下午已经归还到原机柜了，今天还在持续扣费",
]


def detail_of(n: int) -> str:
    return search_data.complaint_text(TEXTS[n % len(TEXTS)], n)


def ids_of(n: int) -> list[str]:
    """Complaint number n's complaint, transaction and order numbers and phone suffix."""
    return [f"2002{n:023d}", f"42{n:026d}", f"OT{n:010d}", f"{n:08d}"[-4:]]


def complaint_row(n: int, now: datetime, merchants, users) -> tuple:
    rng = random.Random(n)
    created = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
    age = now - created
    state = (
        "PROCESSED"
        if age > timedelta(days=4) or rng.random() < 0.5
        else rng.choice(["PENDING", "PROCESSING"])
    )
    urgent = rng.random() < 0.03
    first_due = created + (timedelta(hours=1) if urgent else timedelta(hours=24))
    complete_due = created + timedelta(hours=72)
    replied = created + timedelta(hours=2) if state != "PENDING" else None
    done = created + timedelta(hours=30) if state == "PROCESSED" else None
    due = complete_due if replied else first_due
    sla = (
        "met"
        if done
        else "overdue"
        if now > due
        else "at_risk"
        if now > due - timedelta(hours=4)
        else "on_track"
    )
    phone = f"138{n:08d}"
    merchant = merchants[n % len(merchants)]
    assignee = users[rng.randrange(len(users))].pk if rng.random() < 0.6 else None
    problem = rng.choice(["REFUND", "SERVICE_NOT_WORK", "OTHERS", "OTHERS"])
    amount = 100 * (1 + n % 997)
    complaint_id, transaction_id, out_trade_no, _ = ids_of(n)
    order = [{"transaction_id": transaction_id, "out_trade_no": out_trade_no, "amount": amount}]
    return (
        merchant.pk, complaint_id, merchant.mchid, created, detail_of(n),
        state, search_data.PROBLEM, problem, 3000 if problem == "REFUND" else None, 1,
        False, state != "PROCESSED" and rng.random() < 0.2, False, urgent,
        False, f"openid{n}", "", phone[-4:], phone[:3] + "****" + phone[-4:],
        "[]", json.dumps(order), "[]", "[]", order[0]["transaction_id"],
        order[0]["out_trade_no"], amount, assignee, first_due, complete_due, replied,
        done, sla, 0, now, now,
    )  # fmt: skip


def copy_rows(table: str, columns: list[str], rows) -> None:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    raw.commit()


def seed(complaints: int, history: int, merchants, users) -> None:
    from django.db import connection

    now = datetime.now(UTC)
    started = time.monotonic()
    copy_rows(
        "complaints_complaint",
        COMPLAINT_COLUMNS,
        (complaint_row(n, now, merchants, users) for n in range(complaints)),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM complaints_complaint")
        low, high = cursor.fetchone()
    per = max(history // complaints, 1)
    types = search_data.HISTORY_TYPES

    def history_rows():
        for n in range(history):
            complaint = low + (n // per) % (high - low + 1)
            at = now - timedelta(days=30) + timedelta(minutes=n % 1000)
            yield (
                complaint, f"30{n:025d}", "投诉人", at, types[n % 4], search_data.history_text(n),
                "[]", "", "", now,
            )  # fmt: skip

    copy_rows(
        "complaints_historyentry",
        [
            "complaint_id", "log_id", "operator", "operate_time", "operate_type",
            "operate_details", "image_list", "user_appy_platform_service_reason",
            "user_appy_platform_service_reason_description", "created_at",
        ],
        history_rows(),
    )  # fmt: skip
    search_data.copy_search_rows(
        copy_rows,
        (
            search_data.search_row(
                low + i,
                detail_of(i),
                search_data.history_of(i, complaints, history, per),
                ids_of(i),
                now,
            )
            for i in range(complaints)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {complaints} complaints, {history} history entries in "
          f"{time.monotonic() - started:.0f} s")  # fmt: skip


def measure(client, url: str, runs: int) -> tuple[float, float, float, list[tuple]]:
    from django.db import connection

    for _ in range(3):  # warm up caches, connections, templates
        client.get(url)
    queries: list[tuple] = []

    def record(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    # CPU time of this (server) process: less sensitive than wall time to a busy machine,
    # but without the time spent waiting for PostgreSQL.
    return statistics.median(times), p95, statistics.median(cpu), queries


def profile(client, url: str) -> None:
    """--profile: where one request's time goes."""
    import cProfile
    import pstats

    from django.db import connection

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            print(f"{(time.perf_counter() - started) * 1000:7.1f} ms  {sql[:150]}")

    with connection.execute_wrapper(timed):
        client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(60)


def run(args) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from complaints.models import Complaint
    from complaints.selectors import QueueFilters, queue_page
    from merchants.models import Merchant

    if Merchant.objects.exists():  # a database kept by an earlier --keep run
        merchants = list(Merchant.objects.order_by("pk"))
        users = list(get_user_model().objects.filter(username__startswith="bench_agent_"))
        users.sort(key=lambda user: int(user.username.rsplit("_", 1)[1]))
    else:
        merchants, users = seed_people()
        seed(args.complaints, args.history, merchants, users)
    agent = users[0]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
    open_one = Complaint.objects.exclude(complaint_state="PROCESSED").order_by("pk").first()
    pages = {f"queue:{view}": f"/complaints/?view={view}" for view in [
        "open", "immediate", "new_message", "due_soon", "mine", "unassigned", "processing", "done",
    ]}  # fmt: skip
    first = queue_page(agent, QueueFilters(view="open"))
    pages["queue:open page 2"] = f"/complaints/?view=open&after={first.next_cursor}"
    pages["queue:filtered"] = (
        f"/complaints/?view=open&merchant={merchants[1].pk}&problem_type=REFUND"
    )
    pages.update(search_data.search_pages(open_one))
    pages["detail"] = f"/complaints/{open_one.pk}/"
    if args.profile:
        profile(client, pages[args.profile])
        return
    worst, scans = 0.0, 0
    print(
        f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'db ms':>6} {'queries':>8}"
        "  seq scans on big tables"
    )
    for name, url in pages.items():
        p50, p95, cpu, queries = measure(client, url, args.runs)
        plans = [search_data.explain(query, BIG_TABLES) for query in queries]
        found = [table for scanned, _, _ in plans for table in scanned]
        db_ms = sum(ms for _, _, ms in plans)
        worst, scans = max(worst, p95), scans + len(found)
        print(
            f"{name:28} {p50:8.1f} {p95:8.1f} {cpu:8.1f} {db_ms:6.1f} {len(queries):8}"
            f"  {', '.join(found) or 'none'}"
        )
        if name.startswith("search:"):
            search_data.print_indexes(queries, plans)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"(load average during the run: {load} on {os.cpu_count()} cores)")
    print(f"worst_p95_ms={worst:.1f} seq_scans={scans}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--profile", help="profile one page by name (e.g. queue:open) instead")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the seeded database")
    args = parser.parse_args()
    if not args.keep:
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    if not database_exists():
        admin_sql(f"CREATE DATABASE {DB_NAME}")
    try:
        setup_django()
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
