"""Processes of their own for the web-and-database fault test: a private PostgreSQL cluster
(initdb + pg_ctl on a free port in a temporary folder; the machine's shared server is never
touched), a gunicorn web server running tests/delivery/fault_web.py, and a Celery worker with
its beat (the reply sweeper), all on that cluster."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivatePostgres:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="console-pg-"))
        self.port = free_port()
        self.data = self.folder / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/console"
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to postgres
            shutil.chown(self.folder, "postgres")

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*as_owner, str(PG_BIN / tool), *args], capture_output=True, text=True, timeout=60,
            check=True,
        )  # fmt: skip

    def start(self) -> PrivatePostgres:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
                  "-E", "UTF8")  # fmt: skip
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
                   " -c fsync=off -c full_page_writes=off")  # fmt: skip
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "pg.log"), "-w",
                  "-o", options, "start")  # fmt: skip
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "console")
        return self

    def copy_from(self, source: dict) -> None:
        """The source database (schema and rows) into the private cluster's `console`."""
        dump = subprocess.run(
            [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", "-h", source["HOST"] or
             "127.0.0.1", "-p", str(source["PORT"] or 5432), "-U", source["USER"] or "postgres",
             source["NAME"]],
            capture_output=True, check=True, timeout=60,
            env={**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""},
        )  # fmt: skip
        subprocess.run(
            [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
             str(self.port), "-U", "postgres", "-d", "console"],
            input=dump.stdout, capture_output=True, check=True, timeout=60,
        )  # fmt: skip

    def restart(self) -> None:
        # -l as on start: a server writing to pg_ctl's captured output would hold the pipe open.
        log = str(self.folder / "pg.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


class Stack:
    """The console's web server and worker (with beat) on the private cluster."""

    def __init__(self, folder: Path, database_url: str, env: dict[str, str]) -> None:
        self.folder = folder
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.die_flag = folder / "die-after-commit"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "console.settings.test",
            "DATABASE_URL": database_url,
            "FAULT_WEB_DIE_FLAG": str(self.die_flag),
            **env,
        }
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        with (self.folder / f"{name}.log").open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", *args], cwd=ROOT, env=self.env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def log(self, name: str, tail: int | None = 4000) -> str:
        text = (self.folder / f"{name}.log").read_text(errors="replace")
        return text[-tail:] if tail else text

    def start_web(self) -> None:
        self.web = self._spawn("web", ["gunicorn", "tests.delivery.fault_web:application",
                                       "-b", f"127.0.0.1:{self.port}", "-w", "1",
                                       "--timeout", "60", "--graceful-timeout", "2"])  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.web.poll() is None, self.log("web")
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still loading Django
                pass
            time.sleep(0.1)
        raise AssertionError(f"the web server did not start:\n{self.log('web')}")

    def web_alive(self) -> bool:
        return self.web is not None and self.web.poll() is None

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", [
            "celery", "-A", "console", "worker", "-B", "-s", str(self.folder / "beat-schedule"),
            "--loglevel=INFO", "-Q", self.env["CELERY_QUEUE"], "-c", "4", "-n",
            f"fault-{os.getpid()}@%h", "--without-mingle", "--without-gossip",
            "--without-heartbeat",
        ])  # fmt: skip
        deadline = time.monotonic() + 60
        while "ready." not in self.log("worker"):
            assert self.worker.poll() is None, self.log("worker")
            assert time.monotonic() < deadline, self.log("worker")
            time.sleep(0.1)

    def stop(self) -> None:
        running = [p for p in (self.web, self.worker) if p is not None and p.poll() is None]
        for process in running:  # both at once: each takes a moment to wind down
            os.killpg(process.pid, signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
