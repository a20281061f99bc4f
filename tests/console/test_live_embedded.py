"""Embedded mode (`make run` without DATABASE_URL/REDIS_URL) is live too: the web process tails
the event table, so an event another process stores (the Celery worker's) reaches open streams.

Runs the console as `make run` does, in its own processes, on a SQLite file of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.fixtures.asgi_server import free_port
from tests.fixtures.sse import Stream

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import time
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from merchants.models import Merchant, MerchantAssignment
from console.services import user_set_roles
mine = Merchant.objects.create(mchid="1900000001", name="Mine")
theirs = Merchant.objects.create(mchid="1900000002", name="Theirs")
user = get_user_model().objects.create_user(username="embedded_agent", password="x" * 12)
user_set_roles(user=user, roles=["agent"])
MerchantAssignment.objects.create(user=user, merchant=mine)
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session["console_signed_in_at"] = session["console_active_at"] = time.time()
session.create()
print(session.session_key, mine.pk, theirs.pk)
"""

ANNOUNCE = """
from console import events
events.announce(events.HISTORY_ADDED, merchant_id={theirs}, complaint_id=1)
events.announce(events.HISTORY_ADDED, merchant_id={mine}, complaint_id=2)
"""


@pytest.fixture
def embedded(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="console.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'console.sqlite3'}",
        DEBUG="false",
        SECRET_KEY="embedded-test-" + "k" * 40,
        FIELD_ENCRYPTION_KEYS="3_rD5xIzFii3pH-Ik8Wt2PwV3hL8_jaywe1Ib5cNtwo=",
        CELERY_QUEUE=f"embedded-{os.getpid()}",
    )

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
            text=True, timeout=120, check=True,
        )  # fmt: skip
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    session, mine, theirs = manage("shell", "-c", SETUP).strip().splitlines()[-1].split()
    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "console.asgi:application",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/healthz", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or web.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url, session, manage, int(mine), int(theirs)
    finally:
        web.terminate()
        web.wait(timeout=10)


def test_an_event_stored_by_another_process_reaches_the_stream_without_redis(embedded):
    url, session, manage, mine, theirs = embedded
    streams = [Stream(url, session) for _ in range(3)]
    try:
        for stream in streams:
            assert stream.next_message()[0] == "ready"
        manage("shell", "-c", ANNOUNCE.format(mine=mine, theirs=theirs))  # like the worker
        for stream in streams:
            seen = stream.changes_until(2)
            assert [(m["merchant_id"], m["complaint_id"]) for m in seen] == [(mine, 2)]
    finally:
        for stream in streams:
            stream.close()
