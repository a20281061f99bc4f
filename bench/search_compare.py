"""Why character pairs: the same searches three ways on a database seeded by bench/queue.py.

    BENCH_DB=complaints_bench .venv/bin/python bench/queue.py --keep   # seed once
    BENCH_DB=complaints_bench .venv/bin/python bench/search_compare.py

For each term it times counting the matching search documents (median of 5, ms) by
1. a plain scan: LIKE over every document (what SQLite does);
2. pg_trgm: a GIN trigram index on the same text (built here, dropped at the end), LIKE;
3. the console's way: GIN over character pairs (`tokens @@`), LIKE only for 3+ characters;
and prints the index sizes. Nothing is kept.
"""

# ruff: noqa: E402 - the imports come after the sys.path fix below
from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py would shadow the stdlib's `queue` (psycopg imports it): take this folder off.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import os
import statistics
import time

import psycopg

DB = os.environ.get("BENCH_DB", "complaints_bench")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
TERMS = ["退款", "茶叶", "火箭", "充电宝", "投影仪", "3号"]
TRGM = "CREATE INDEX bench_trgm_idx ON complaints_complaintsearch USING gin (text gin_trgm_ops)"


def timed(conn, sql: str, params: tuple) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(5):
        started = time.perf_counter()
        count = conn.execute(sql, params).fetchone()[0]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), count


def pairs(term: str) -> str:
    if len(term) <= 2:
        return f"'{term}'"
    return " & ".join(f"'{term[i : i + 2]}'" for i in range(len(term) - 1))


def main() -> None:
    with psycopg.connect(f"{SERVER}/{DB}", autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute("DROP INDEX IF EXISTS bench_trgm_idx")
        started = time.perf_counter()
        conn.execute(TRGM)
        trgm_build = time.perf_counter() - started
        conn.execute("ANALYZE complaints_complaintsearch")
        docs = conn.execute("SELECT count(*) FROM complaints_complaintsearch").fetchone()[0]
        print(f"{docs} search documents; pg_trgm index built in {trgm_build:.1f} s")
        print(f"{'term':8} {'matches':>8} {'scan ms':>9} {'pg_trgm ms':>11} {'pairs ms':>9}")
        for term in TERMS:
            like = f"%{term}%"
            conn.execute("SET enable_bitmapscan = off; SET enable_indexscan = off")
            scan, count = timed(
                conn, "SELECT count(*) FROM complaints_complaintsearch WHERE text LIKE %s", (like,)
            )
            conn.execute("RESET enable_bitmapscan; RESET enable_indexscan")
            trgm, _ = timed(
                conn, "SELECT count(*) FROM complaints_complaintsearch WHERE text LIKE %s", (like,)
            )
            recheck = " AND text LIKE %s" if len(term) > 2 else ""
            params = (pairs(term), like) if recheck else (pairs(term),)
            sql = "SELECT count(*) FROM complaints_complaintsearch WHERE tokens @@ %s::tsquery"
            ours, ours_count = timed(conn, sql + recheck, params)
            assert ours_count == count, (term, ours_count, count)
            print(f"{term:8} {count:8} {scan:9.1f} {trgm:11.1f} {ours:9.1f}")
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_relation_size('bench_trgm_idx')), "
            "pg_size_pretty(pg_relation_size('complaint_search_tokens_idx')), "
            "pg_size_pretty(pg_table_size('complaints_complaintsearch'))"
        ).fetchone()
        print(f"index size: pg_trgm {sizes[0]}, pairs {sizes[1]}; documents {sizes[2]}")
        conn.execute("DROP INDEX bench_trgm_idx")


if __name__ == "__main__":
    main()
