"""Settings for the test suite: real PostgreSQL and Redis at their local defaults."""

import os
import socket

from .base import *  # noqa: F403
from .base import POSTGRES_SERIAL, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 20
# Two keys, so tests can rotate: the first encrypts, both decrypt.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS",
    default=[
        "3_rD5xIzFii3pH-Ik8Wt2PwV3hL8_jaywe1Ib5cNtwo=",
        "XsGOD-GoetnhLqfVlMAEUr6ZaxdEanVRYFA1qAXzWi0=",
    ],
)
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/console")
}
if not DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # as in production (base.py)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", POSTGRES_SERIAL)
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
_TEST_REDIS = REDIS_URL.rsplit("/", 1)[0] + "/15"
CELERY_BROKER_URL = _TEST_REDIS
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# One queue per test run, so runs never consume each other's messages.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default=f"test-{os.getpid()}")
# ...and one cache namespace (its workers inherit the queue name, so they share it with the run).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _TEST_REDIS,
        "KEY_PREFIX": CELERY_TASK_DEFAULT_QUEUE,
    }
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
LANGUAGE_CODE = "zh-hans"

WHITENOISE_USE_FINDERS = True


def _nowhere_url() -> str:
    """The console's public URL during tests: a loopback port this run holds and never answers
    (bound, not listening: a connection is refused at once). Notification URLs registered from
    it send nothing to a console the run did not start, such as a developer's `make run` on
    :8000. The run's worker processes inherit it through the environment; a test that needs
    notifications registers its own live server's address."""
    url = os.environ.get("TEST_CONSOLE_PUBLIC_URL")
    if not url:
        held = socket.socket()
        held.bind(("127.0.0.1", 0))
        _HELD_PORTS.append(held)  # held for the life of the process
        url = f"http://127.0.0.1:{held.getsockname()[1]}"
        os.environ["TEST_CONSOLE_PUBLIC_URL"] = url
    return url


_HELD_PORTS: list[socket.socket] = []
CONSOLE_PUBLIC_URL = _nowhere_url()
