"""Settings for `make run` and development: embedded defaults, secrets kept in var/."""

import json
import secrets

from cryptography.fernet import Fernet

from .base import *  # noqa: F403
from .base import CELERY_BROKER_DIR, VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)


def _local_secrets() -> dict:
    """Secrets made once per checkout, so a fresh machine needs no configuration."""
    path = VAR_DIR / "local-secrets.json"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
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


_secrets = _local_secrets()
SECRET_KEY = env("SECRET_KEY", default=_secrets["SECRET_KEY"])
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=_secrets["FIELD_ENCRYPTION_KEYS"])
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

for _folder in ("queue", "processed", "control"):
    (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)

WHITENOISE_USE_FINDERS = True
