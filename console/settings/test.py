"""Settings for the test suite: real PostgreSQL and Redis at their local defaults."""

import os

from .base import *  # noqa: F403
from .base import env

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
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
_TEST_REDIS = REDIS_URL.rsplit("/", 1)[0] + "/15"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _TEST_REDIS}
}
CELERY_BROKER_URL = _TEST_REDIS
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# One queue per test run, so runs never consume each other's messages.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default=f"test-{os.getpid()}")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
LANGUAGE_CODE = "zh-hans"

WHITENOISE_USE_FINDERS = True
