"""Failed sign-ins: two limits (README "Security").

django-axes locks a username+IP pair after AXES_FAILURE_LIMIT failures. On top of it, one
username is locked from every address once LOGIN_USERNAME_FAILURE_LIMIT failures were recorded
for it within LOGIN_USERNAME_WINDOW_MINUTES, so a password spray from many addresses stops too.
The failures are counted from the audit log's `login.failed` rows (one per failure, kept
anyway); an admin's unlock (`login.unlocked`) starts the count again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from console.models import AuditEvent

FAILED = "login.failed"
LOCKED = "login.locked"
UNLOCKED = "login.unlocked"


def _count_since(username: str) -> datetime:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_USERNAME_WINDOW_MINUTES)
    unlocked = (
        AuditEvent.objects.filter(action=UNLOCKED, target_id=username, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return unlocked or since


def username_failures(username: str) -> int:
    """Failed sign-ins for this username from any address, within the window."""
    if not username:
        return 0
    return AuditEvent.objects.filter(
        action=FAILED, target_id=username[:128], created_at__gt=_count_since(username[:128])
    ).count()


def username_locked(username: str) -> bool:
    return username_failures(username) >= settings.LOGIN_USERNAME_FAILURE_LIMIT


@dataclass(frozen=True)
class LockState:
    """For the admins' user page: is this username refused at sign-in, and why."""

    username_failures: int
    locked_everywhere: bool
    locked_addresses: list[str]

    @property
    def locked(self) -> bool:
        return self.locked_everywhere or bool(self.locked_addresses)


def login_lock_state(username: str) -> LockState:
    threshold = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    addresses = AccessAttempt.objects.filter(
        username=username,
        attempt_time__gte=threshold,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    ).values_list("ip_address", flat=True)
    failures = username_failures(username)
    return LockState(
        username_failures=failures,
        locked_everywhere=failures >= settings.LOGIN_USERNAME_FAILURE_LIMIT,
        locked_addresses=sorted({str(address) for address in addresses if address}),
    )


def locked_usernames() -> set[str]:
    """Every username refused at sign-in now (few or none: only candidates are checked)."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_USERNAME_WINDOW_MINUTES)
    many_failures = (
        AuditEvent.objects.filter(action=FAILED, created_at__gt=since)
        .values("target_id")
        .annotate(failures=Count("id"))
        .filter(failures__gte=settings.LOGIN_USERNAME_FAILURE_LIMIT)
        .values_list("target_id", flat=True)
    )
    threshold = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    pairs = AccessAttempt.objects.filter(
        attempt_time__gte=threshold, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).values_list("username", flat=True)
    candidates = {name for name in [*many_failures, *pairs] if name}
    return {name for name in candidates if login_lock_state(name).locked}


class ConsoleAxesHandler(AxesDatabaseHandler):
    """axes' database handler, plus the username-wide limit: a username past it counts as
    having reached the pair's limit from whatever address it is tried."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if username_locked(get_client_username(request, credentials) or ""):
            return max(failures, get_failure_limit(request, credentials))
        return failures
