"""Run the WeChat Pay sandbox for the length of `demo_setup` when it is not already up.

`make run` sets up demo data before honcho starts the long-running sandbox process; the data dir
is the same, so what is registered here is there when the real process starts.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import requests


def sandbox_healthy(base_url: str) -> bool:
    try:
        return requests.get(f"{base_url.rstrip('/')}/_sandbox/health", timeout=2).ok
    except requests.RequestException:
        return False


@contextlib.contextmanager
def sandbox_running(base_url: str, data_dir: Path, timeout: float = 30) -> Iterator[bool]:
    """Yield True once a sandbox answers at base_url, starting one if needed (stopped on exit)."""
    if sandbox_healthy(base_url):
        yield True
        return
    url = urlparse(base_url)
    if url.hostname not in ("127.0.0.1", "localhost"):
        yield False
        return
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [
            sys.executable,
            "-m",
            "sandbox",
            "--host",
            url.hostname,
            "--port",
            str(url.port or 80),
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if sandbox_healthy(base_url):
                break
            time.sleep(0.2)
        yield sandbox_healthy(base_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
