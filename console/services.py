"""State changes owned by the console project itself: the audit log and user roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from console.models import AuditEvent
from console.roles import ROLE_PERMISSIONS

# Keys whose values are never written to the audit log, whatever a caller passes.
_SECRET_MARKERS = ("key", "secret", "password", "pem", "signature", "token", "phone")


def _scrub(changes: dict[str, Any]) -> dict[str, Any]:
    def clean(name: str, value: Any) -> Any:
        if any(marker in name.lower() for marker in _SECRET_MARKERS) and not name.endswith(
            ("_fingerprint", "_serial", "_id")
        ):
            return "[redacted]"
        return value

    return {name: clean(name, value) for name, value in changes.items()}


def audit_record(
    *,
    action: str,
    actor=None,
    ip: str | None = None,
    target_type: str = "",
    target_id: str | int = "",
    mchid: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event (`ip`: the client's address, from console.http.client_ip).
    Secret-looking keys in `changes` are redacted."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=getattr(actor, "username", "") or "",
        target_type=target_type,
        target_id=str(target_id),
        mchid=mchid,
        ip_address=ip or None,
        changes=_scrub(changes or {}),
    )


def roles_sync(**_signal_kwargs: Any) -> None:
    """Make the role groups match console/roles.py. Runs after every migrate (and after the
    flush of a transactional test, which erases the groups the data migration made)."""
    from django.contrib.auth.models import Permission

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="console", codename__in=codenames)
        )


def user_set_roles(*, user, roles: list[str], by=None, ip: str | None = None) -> None:
    """Replace a user's console roles, audited."""
    unknown = set(roles) - set(ROLE_PERMISSIONS)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    with transaction.atomic():
        before = sorted(
            user.groups.filter(name__in=ROLE_PERMISSIONS).values_list("name", flat=True)
        )
        user.groups.remove(*Group.objects.filter(name__in=ROLE_PERMISSIONS))
        user.groups.add(*Group.objects.filter(name__in=roles))
        audit_record(
            action="user.roles_changed",
            actor=by,
            ip=ip,
            target_type="user",
            target_id=user.pk,
            changes={"username": user.username, "before": before, "after": sorted(roles)},
        )


def login_unlock(*, username: str, by, ip: str | None = None) -> int:
    """An admin lets a locked-out username sign in again, from every address: clears the
    username+IP lockouts and restarts the username-wide count. Audited. Returns the number of
    lockout records cleared."""
    from axes.utils import reset

    with transaction.atomic():
        cleared = reset(username=username)
        audit_record(
            action="login.unlocked",
            actor=by,
            ip=ip,
            target_type="user",
            target_id=username[:128],
            changes={"cleared": cleared},
        )
    return cleared
