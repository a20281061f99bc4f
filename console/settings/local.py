"""Settings for `make run` and development: embedded defaults, secrets kept in var/."""

import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from .base import *  # noqa: F403
from .base import CELERY_BROKER_DIR, DATABASES, VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)


def _private_var_dir() -> None:
    """var/ holds the database, the secrets, broker messages, uploads and the sandbox's keys:
    nobody but its owner may read it. The umask makes every file and folder these processes
    create owner-only (0600 / 0700: SQLite's WAL and SHM files take the database file's mode,
    broker messages, the beat schedule); folders and databases an older checkout created
    readable are narrowed here."""
    os.umask(0o077)
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    VAR_DIR.chmod(0o700)
    name = str(DATABASES["default"]["NAME"])
    if DATABASES["default"]["ENGINE"].endswith("sqlite3") and name != ":memory:":
        for path in (Path(name), Path(f"{name}-wal"), Path(f"{name}-shm")):
            if path.exists():
                path.chmod(0o600)


def _local_secrets() -> dict:
    """Secrets made once per checkout, so a fresh machine needs no configuration."""
    path = VAR_DIR / "local-secrets.json"
    if not path.exists():
        path.write_text(
            json.dumps(
                {
                    "SECRET_KEY": secrets.token_urlsafe(50),
                    "FIELD_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
                }
            )
        )
        path.chmod(0o600)
    return json.loads(path.read_text())


_private_var_dir()
_secrets = _local_secrets()
SECRET_KEY = env("SECRET_KEY", default=_secrets["SECRET_KEY"])
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=_secrets["FIELD_ENCRYPTION_KEYS"])
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

for _folder in ("queue", "processed", "control", "quarantine"):
    (CELERY_BROKER_DIR / _folder).mkdir(mode=0o700, parents=True, exist_ok=True)
# Django chmods uploads itself (0644 by default), past the umask.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

WHITENOISE_USE_FINDERS = True
