"""Merchants and who works for them: create, edit, assign users, set roles; all audited."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from console.services import audit_record, user_set_roles
from merchants.models import Merchant, MerchantAssignment

MERCHANT_FIELDS = (
    "mchid",
    "name",
    "kind",
    "api_base_url",
    "backup_api_base_url",
    "active",
    "sub_mchids",
)


def merchant_create(*, by=None, ip: str | None = None, **fields: Any) -> Merchant:
    with transaction.atomic():
        merchant = Merchant.objects.create(**{k: fields[k] for k in MERCHANT_FIELDS if k in fields})
        audit_record(
            action="merchant.created",
            actor=by,
            ip=ip,
            target_type="merchant",
            target_id=merchant.pk,
            mchid=merchant.mchid,
            changes={k: getattr(merchant, k) for k in MERCHANT_FIELDS},
        )
    return merchant


def merchant_update(
    *, merchant: Merchant, by=None, ip: str | None = None, **fields: Any
) -> Merchant:
    """Change the given fields; the audit diff lists only what changed (before, after)."""
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        diff = {
            name: [getattr(merchant, name), value]
            for name, value in fields.items()
            if name in MERCHANT_FIELDS and getattr(merchant, name) != value
        }
        if not diff:
            return merchant
        for name, (_before, after) in diff.items():
            setattr(merchant, name, after)
        merchant.save()
        audit_record(
            action="merchant.updated",
            actor=by,
            ip=ip,
            target_type="merchant",
            target_id=merchant.pk,
            mchid=merchant.mchid,
            changes=diff,
        )
    return merchant


def assignment_add(
    *, merchant: Merchant, user, by=None, ip: str | None = None
) -> MerchantAssignment:
    """Let `user` work on `merchant`'s complaints. Adding an existing assignment changes nothing."""
    with transaction.atomic():
        assignment, created = MerchantAssignment.objects.get_or_create(merchant=merchant, user=user)
        if created:
            _audit_assignment("assignment.added", merchant, user, by, ip)
    return assignment


def assignment_remove(*, merchant: Merchant, user, by=None, ip: str | None = None) -> bool:
    with transaction.atomic():
        deleted, _ = MerchantAssignment.objects.filter(merchant=merchant, user=user).delete()
        if deleted:
            _audit_assignment("assignment.removed", merchant, user, by, ip)
    return bool(deleted)


def _audit_assignment(action: str, merchant: Merchant, user, by, ip) -> None:
    audit_record(
        action=action,
        actor=by,
        ip=ip,
        target_type="user",
        target_id=user.pk,
        mchid=merchant.mchid,
        changes={"username": user.username, "merchant": merchant.mchid},
    )


def user_roles_set(*, user, roles: list[str], by=None, ip: str | None = None) -> None:
    """Replace a user's roles (console.services.user_set_roles audits it)."""
    user_set_roles(user=user, roles=roles, by=by, ip=ip)


def _new_password() -> str:
    return secrets.token_urlsafe(12)


def user_create(
    *,
    username: str,
    name: str,
    roles: list[str],
    merchants: list[Merchant],
    by=None,
    ip: str | None = None,
) -> tuple[Any, str]:
    """A console user with a generated password, returned once (never stored or logged in
    clear); roles and merchant assignments audited as usual."""
    password = _new_password()
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=username, password=password, first_name=name
        )
        audit_record(
            action="user.created", actor=by, ip=ip, target_type="user",
            target_id=user.pk, changes={"username": username, "name": name},
        )  # fmt: skip
        user_set_roles(user=user, roles=roles, by=by, ip=ip)
        for merchant in merchants:
            assignment_add(merchant=merchant, user=user, by=by, ip=ip)
    return user, password


def user_password_reset(*, user, by=None, ip: str | None = None) -> str:
    """A new generated password for someone who lost theirs; their sessions end."""
    password = _new_password()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            action="user.password_reset", actor=by, ip=ip, target_type="user",
            target_id=user.pk, changes={"username": user.username},
        )  # fmt: skip
    return password


class CannotDeactivateSelf(ValueError):
    """An admin may not lock themselves out."""


def user_set_active(*, user, active: bool, by=None, ip: str | None = None) -> None:
    """Switch a user off (they can no longer log in; their sessions end) or back on."""
    if not active and by is not None and user.pk == by.pk:
        raise CannotDeactivateSelf("you cannot deactivate yourself")
    if user.is_active == active:
        return
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            action="user.reactivated" if active else "user.deactivated", actor=by,
            ip=ip, target_type="user", target_id=user.pk,
            changes={"username": user.username},
        )  # fmt: skip
