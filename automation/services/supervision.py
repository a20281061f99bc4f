"""Supervisors' events: complaints near or past a deadline, replies that failed for good; and
the e-mail digest that sends each event once."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from automation.at_risk import DEADLINE_OF_KIND, at_risk, deadline_now, event_kind
from automation.models import Digest, SupervisorEvent
from automation.services.alerts import users_with_permission
from complaints.models import Complaint
from messaging.models import Reply

logger = logging.getLogger(__name__)
Kind = SupervisorEvent.Kind
# Deadlines and failures further back than this are history, not news.
LOOKBACK = timedelta(days=7)


def _deadline_event(complaint: Complaint, kind: str, due: datetime) -> SupervisorEvent:
    return SupervisorEvent(
        merchant_id=complaint.merchant_id,
        kind=kind,
        complaint=complaint,
        due_at=due,
        key=f"{complaint.pk}:{due.isoformat()}",
    )


def _deadline_events(now: datetime) -> list[SupervisorEvent]:
    """The deadline that applies now to each complaint within its warning margin."""
    recent = Complaint.objects.filter(due_at__gte=now - LOOKBACK)
    complaints = at_risk(recent, now).only(
        "pk", "merchant_id", "due_at", "first_replied_at", "need_immediate_service"
    )
    return [
        _deadline_event(
            complaint, event_kind(complaint.deadline, complaint.due_at, now), complaint.due_at
        )
        for complaint in complaints.iterator()
    ]


def still_applies(event: SupervisorEvent) -> bool:
    """A deadline event is news only while its deadline is the one that applies to the
    complaint (not answered or completed since, deadline not moved)."""
    deadline = DEADLINE_OF_KIND.get(event.kind)
    if deadline is None:
        return True  # a failed reply stays failed
    return deadline_now(event.complaint) == (deadline, event.due_at)


def _failure_events(now: datetime) -> list[SupervisorEvent]:
    failed = Reply.objects.filter(status=Reply.Status.FAILED, failed_at__gte=now - LOOKBACK).only(
        "pk", "merchant_id", "complaint_id", "failed_at"
    )
    return [
        SupervisorEvent(
            merchant_id=reply.merchant_id,
            kind=Kind.REPLY_FAILED,
            complaint_id=reply.complaint_id,
            reply=reply,
            due_at=None,
            key=f"reply:{reply.pk}",
        )
        for reply in failed.iterator()
    ]


def supervisor_scan(*, now: datetime | None = None) -> int:
    """Record new events (beat, every minute). Idempotent: an event already recorded, by kind
    and key, is not recorded again. Returns how many are new."""
    now = now or timezone.now()
    candidates = _deadline_events(now) + _failure_events(now)
    if not candidates:
        return 0
    known = set(
        SupervisorEvent.objects.filter(key__in=[event.key for event in candidates]).values_list(
            "kind", "key"
        )
    )
    fresh = [event for event in candidates if (event.kind, event.key) not in known]
    return len(SupervisorEvent.objects.bulk_create(fresh, ignore_conflicts=True))


# --- the digest ----------------------------------------------------------------------------------


def supervisors_by_merchant(merchant_ids: set[int]) -> dict[int, list[Any]]:
    """Supervisors (review_replies) assigned to each merchant, with an e-mail address."""
    users = (
        users_with_permission("review_replies")
        .filter(merchant_assignments__merchant_id__in=merchant_ids)
        .exclude(email="")
        .prefetch_related("merchant_assignments")
    )
    found: dict[int, list[Any]] = defaultdict(list)
    for user in users:
        for assignment in user.merchant_assignments.all():
            if assignment.merchant_id in merchant_ids:
                found[assignment.merchant_id].append(user)
    return found


def _group(events: list[SupervisorEvent]) -> list[tuple[str, list[SupervisorEvent]]]:
    by_kind: dict[str, list[SupervisorEvent]] = defaultdict(list)
    for event in events:
        by_kind[event.kind].append(event)
    return [(Kind(kind).label, by_kind[kind]) for kind in Kind.values if by_kind.get(kind)]


def _message(user: Any, events: list[SupervisorEvent], connection: Any) -> EmailMultiAlternatives:
    context = {
        "user": user,
        "groups": _group(events),
        "count": len(events),
        "base_url": settings.CONSOLE_PUBLIC_URL.rstrip("/"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("automation/email/digest_subject.txt", context).strip()
        text = render_to_string("automation/email/digest.txt", context)
        html = render_to_string("automation/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[user.email], connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message


def digest_send(*, now: datetime | None = None) -> Digest | None:
    """One e-mail per supervisor with every event of their merchants not yet digested; the
    events are then marked digested in the same transaction, so none is sent twice. Two
    digest runs at once take disjoint events (skip locked). A deadline event whose deadline no
    longer applies (answered, completed) is not mailed. Each event records to whom it went;
    events of a merchant with no supervisor to mail are marked as such and logged as a
    warning. Returns the digest, or None when there was nothing to mail."""
    now = now or timezone.now()
    with transaction.atomic():
        events = list(
            SupervisorEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(digested_at=None)
            .select_related("complaint", "merchant", "reply")
            .order_by("occurred_at", "id")
        )
        news = [event for event in events if still_applies(event)]
        stale = {event.pk for event in events} - {event.pk for event in news}
        if stale:
            SupervisorEvent.objects.filter(pk__in=stale).update(digested_at=now)
        if not news:
            return None
        supervisors = supervisors_by_merchant({event.merchant_id for event in news})
        per_user: dict[int, tuple[Any, list[SupervisorEvent]]] = {}
        per_merchant: dict[int, list[SupervisorEvent]] = defaultdict(list)
        for event in news:
            per_merchant[event.merchant_id].append(event)
            for user in supervisors.get(event.merchant_id, []):
                per_user.setdefault(user.pk, (user, []))[1].append(event)
        connection = get_connection()
        messages = [_message(user, mine, connection) for user, mine in per_user.values()]
        recipients = sorted(user.username for user, _mine in per_user.values())
        digest = Digest.objects.create(recipients=recipients, event_count=len(news))
        for merchant_id, mine in per_merchant.items():
            SupervisorEvent.objects.filter(pk__in=[event.pk for event in mine]).update(
                digest=digest,
                digested_at=now,
                sent_to=sorted(user.username for user in supervisors.get(merchant_id, [])),
            )
        if messages:
            # Sent last: a failure rolls the marks back and the next run tries again.
            connection.send_messages(messages)
    _log_digest(digest, news, per_merchant, supervisors)
    return digest


def _log_digest(
    digest: Digest,
    news: list[SupervisorEvent],
    per_merchant: dict[int, list[SupervisorEvent]],
    supervisors: dict[int, list[Any]],
) -> None:
    unsent = {
        mine[0].merchant.mchid: len(mine)
        for merchant_id, mine in per_merchant.items()
        if not supervisors.get(merchant_id)
    }
    if digest.recipients:
        logger.info(
            "digest %s: %d events mailed to %d supervisors (%s)",
            digest.pk,
            len(news) - sum(unsent.values()),
            len(digest.recipients),
            ", ".join(digest.recipients),
        )
    if unsent:
        logger.warning(
            "digest %s: %d of %d events NOT mailed: no supervisor with an e-mail address for "
            "merchant(s) %s",
            digest.pk,
            sum(unsent.values()),
            len(news),
            ", ".join(f"{mchid} ({count})" for mchid, count in sorted(unsent.items())),
        )
