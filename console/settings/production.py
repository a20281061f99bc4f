"""Production settings: refuse to start without the secrets, HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False


def _required(name: str) -> str:
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set: production settings refuse to start without it (see .env.example)."
        )
    return value


SECRET_KEY = _required("SECRET_KEY")
FIELD_ENCRYPTION_KEYS = [key for key in _required("FIELD_ENCRYPTION_KEYS").split(",") if key]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed copies made by collectstatic (the Dockerfile runs it); ES module imports
    # rewritten to the hashed names, so every JS controller is cache-busted.
    "staticfiles": {"BACKEND": "console.storage.ConsoleStaticFilesStorage"},
}
