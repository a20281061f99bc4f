"""Four-eyes limits: what an agent may refund alone, per refund and per day; above, a supervisor
approves (never the one who asked)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from console.roles import perm
from console.services import audit_record
from merchants.models import Merchant
from refunds.models import Refund, RefundLimits


class LimitsError(ValueError):
    """Limits that cannot be saved; the message is for the supervisor."""


def limits_for(merchant: Merchant) -> RefundLimits:
    """The merchant's limits, or the console's defaults (not saved) when none were set."""
    found = RefundLimits.objects.filter(merchant=merchant).first()
    if found is not None:
        return found
    return RefundLimits(
        merchant=merchant,
        per_refund=settings.REFUNDS_DEFAULT_AGENT_LIMIT_FEN,
        per_day=settings.REFUNDS_DEFAULT_AGENT_DAILY_LIMIT_FEN,
    )


def limits_set(
    *, merchant: Merchant, per_refund: int, per_day: int, user: Any, ip: str | None = None
) -> RefundLimits:
    """A supervisor changes what agents of `merchant` may refund alone; audited."""
    if not user.has_perm(perm("review_replies")):
        raise LimitsError(_("Only a supervisor may change refund limits."))
    if per_refund < 0 or per_day < 0:
        raise LimitsError(_("Limits cannot be negative."))
    with transaction.atomic():
        before = limits_for(merchant)
        limits, _created = RefundLimits.objects.update_or_create(
            merchant=merchant,
            defaults={"per_refund": per_refund, "per_day": per_day, "updated_by": user},
        )
        audit_record(
            action="refund.limits_changed",
            actor=user,
            ip=ip,
            target_type="merchant",
            target_id=merchant.mchid,
            mchid=merchant.mchid,
            changes={
                "per_refund": [before.per_refund, per_refund],
                "per_day": [before.per_day, per_day],
            },
        )
    return limits


def refunded_today_by(user: Any, merchant: Merchant, now: datetime | None = None) -> int:
    """Fen this user refunded alone today (Asia/Shanghai), refunds refused or closed excluded."""
    local = timezone.localtime(now or timezone.now())
    start = timezone.make_aware(datetime.combine(local.date(), time.min), local.tzinfo)
    total = Refund.objects.filter(
        merchant=merchant,
        requested_by=user,
        needs_approval=False,
        created_at__gte=start,
        created_at__lt=start + timedelta(days=1),
        status__in=Refund.HOLDING_STATUSES,
    ).aggregate(total=Sum("amount"))["total"]
    return total or 0


def needs_approval(*, user: Any, merchant: Merchant, amount: int) -> bool:
    """Above either limit, the refund waits for a supervisor."""
    limits = limits_for(merchant)
    if amount > limits.per_refund:
        return True
    return refunded_today_by(user, merchant) + amount > limits.per_day
