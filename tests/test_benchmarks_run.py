"""Each benchmark still runs end to end and prints its summary line (tiny sizes; no timings
are asserted: speed is measured by running the benchmarks themselves, see README)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
BENCHES = {
    "client.py": (
        ["--calls", "20", "--block", "10"],
        r"cpu_vs_floor=[\d.]+ cpu_vs_wechatpayv3=[\d.]+",
    ),
    "queue.py": (
        ["--complaints", "300", "--history", "3000", "--runs", "2"],
        r"worst_p95_ms=[\d.]+ seq_scans=\d+",
    ),
    "live.py": (
        ["--connections", "1,3", "--events", "2", "--browsers", "1", "--idle-seconds", "2"],
        r"worst_p95_ms=\d+ connections=\d+ idle_requests_per_tab_min=[\d.]+",
    ),
    "delivery.py": (
        ["--replies", "10", "--workers", "1", "--complaints", "2"],
        r"replies_per_s=[\d.]+ p99_ms=\d+ floor_replies_per_s=\d+",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHES)
def test_the_benchmark_runs_and_prints_its_summary_line(script):
    args, summary = BENCHES[script]
    # A database of this run's own: another run beside it (or CI) never drops it mid-run.
    database = f"bench_smoke_{Path(script).stem}_{os.getpid()}"
    env = {**os.environ, "BENCH_DB": database}
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / script), *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        drop_database(database)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    last_line = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(summary, last_line), last_line


def drop_database(name: str) -> None:
    server = settings.DATABASES["default"]
    with psycopg.connect(
        host=server["HOST"] or "127.0.0.1", port=server["PORT"] or 5432,
        user=server["USER"] or "postgres", dbname="postgres", autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
