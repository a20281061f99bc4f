"""Embedded mode (`make run`) keeps its state owner-only: var/ is 0700 and everything the
console's processes create in it (SQLite and its WAL, secrets, broker messages, cache, uploads)
is 0600, even under a permissive umask and in a var/ an older checkout made readable."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Runs in a `make run`-like process; prints the mode of every path under var/ while the
# database connection (and so its -wal and -shm files) is still open.
SCRIPT = """
import json, os, sys
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from console.celery import app

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (a integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
cache.set("probe", "value")
default_storage.save("uploads/probe.png", ContentFile(b"png"))
app.send_task("probe.task", queue=settings.CELERY_TASK_DEFAULT_QUEUE)
modes = {}
for folder, dirs, files in os.walk(settings.VAR_DIR):
    for name in [*dirs, *files]:
        path = os.path.join(folder, name)
        kind = "dir " if os.path.isdir(path) else "file "
        modes[os.path.relpath(path, settings.VAR_DIR)] = kind + oct(os.stat(path).st_mode & 0o777)
modes["."] = "dir " + oct(os.stat(settings.VAR_DIR).st_mode & 0o777)
print(json.dumps(modes))
"""
OWNER_ONLY = {"dir 0o700", "file 0o600"}


def test_embedded_mode_creates_var_and_its_files_owner_only(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)  # as an older checkout left it
    old_database = var / "console.sqlite3"
    old_database.touch()
    old_database.chmod(0o644)
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "console.settings.local",
            "VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{old_database}",
            "REDIS_URL": "",
            "CELERY_QUEUE": "probe",
        }
    )

    result = subprocess.run(
        ["sh", "-c", f"umask 022 && exec {sys.executable} -c '{SCRIPT}'"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    for made in ("console.sqlite3-wal", "console.sqlite3-shm", "local-secrets.json",
                 "cache", "media/uploads/probe.png", "celery/queue"):  # fmt: skip
        assert any(path.startswith(made) for path in modes), (made, sorted(modes))
    assert any(path.startswith("celery/queue/") for path in modes)  # the task's message
    assert {path: mode for path, mode in modes.items() if mode not in OWNER_ONLY} == {}
