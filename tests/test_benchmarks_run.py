"""Each benchmark still runs end to end and prints its summary line (tiny sizes; no timings
are asserted: speed is measured by running the benchmarks themselves, see README)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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
    env = {**os.environ, "BENCH_DB": f"bench_smoke_{Path(script).stem}"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    last_line = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(summary, last_line), last_line
