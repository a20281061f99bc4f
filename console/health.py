"""Liveness and readiness checks: each names what it checked."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from kombu import Connection


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any driver error means "not ready"
        return False
    return True


def broker_ok() -> bool:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=1,
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=1)
    except Exception:  # connection refused, timeout, bad folder: all "not ready"
        return False
    return True


def readiness() -> dict[str, bool]:
    return {"database": database_ok(), "broker": broker_ok()}
