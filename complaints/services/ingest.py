"""Ingestion: WeChat's complaint and history objects become typed rows (§3.1, §3.3).

Network calls happen before the transaction that writes, so a failed fetch writes nothing and
the next notification or sync retries the whole complaint.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

import wechatpay
from complaints.models import Complaint, ComplaintImage, HistoryEntry, TimelineEvent
from complaints.ports import reply_side
from complaints.services.deadlines import deadlines_for, sla_status_for
from complaints.services.hooks import on_complaint_ingested
from complaints.services.search import complaint_search_refresh
from console import events
from console.encryption import encrypt_text
from merchants.models import Merchant
from merchants.services import decrypt_payer_phone

logger = logging.getLogger(__name__)

# Fields copied as they are from WeChat's complaint object.
PLAIN_FIELDS = (
    "complainted_mchid", "complaint_detail", "complaint_state", "problem_description",
    "apply_refund_amount", "user_complaint_times", "complaint_full_refunded",
    "incoming_user_response", "in_platform_service", "need_immediate_service", "is_agent_mode",
    "user_tag_list", "complaint_order_info", "service_order_info", "complaint_media_list",
    "additional_info",
)  # fmt: skip
# History entries that mean "something new a replying agent must read" (stale-reply guard).
ACTIVITY_TYPES = frozenset(
    {
        "USER_CREATE_COMPLAINT",
        "USER_CONTINUE_COMPLAINT",
        "USER_RESPONSE",
        "USER_CLICK_RESPONSE",
        "PLATFORM_RESPONSE",
        "PLATFORM_HELP_APPLICATION",
        "USER_APPLY_PLATFORM_HELP",
        "USER_APPLY_PLATFORM_SERVICE",
        "MERCHANT_RESPONSE",
    }
)
MERCHANT_REPLY_TYPES = frozenset({"MERCHANT_RESPONSE"})
# messaging.models.Reply.Endpoint values that answer the user (and move PENDING to PROCESSING).
REPLY_ENDPOINTS = ("response", "response-immediate-service")
COMPLETE_TYPES = frozenset({"MERCHANT_CONFIRM_COMPLETE"})


@dataclass(frozen=True)
class Upserted:
    complaint: Complaint
    created: bool
    changed: bool


def parse_time(value: str | None) -> datetime | None:
    """WeChat's RFC 3339 times (with offset, often with milliseconds) as aware datetimes."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        logger.warning("unparseable WeChat time %r", value)
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def wechat_fields(data: wechatpay.Complaint) -> dict[str, Any]:
    """The columns WeChat owns, from its complaint object (lenient: unknown enums are kept)."""
    raw = data.model_dump(mode="json")
    fields = {name: raw.get(name) for name in PLAIN_FIELDS}
    fields["complaint_time"] = parse_time(data.complaint_time) or timezone.now()
    fields["problem_type"] = data.problem_type or ""
    fields["complaint_detail"] = fields["complaint_detail"] or ""
    fields["problem_description"] = fields["problem_description"] or ""
    fields["user_tag_list"] = fields["user_tag_list"] or []
    first_order = data.complaint_order_info[0] if data.complaint_order_info else None
    fields["transaction_id"] = first_order.transaction_id if first_order else ""
    fields["out_trade_no"] = first_order.out_trade_no if first_order else ""
    fields["amount"] = first_order.amount if first_order else None
    if data.payer_openid is not None:  # detail only: the list must not blank it
        fields["payer_openid"] = data.payer_openid
    return fields


def complaint_differs(complaint: Complaint, data: wechatpay.Complaint) -> bool:
    fields = wechat_fields(data)
    return any(getattr(complaint, name) != value for name, value in fields.items())


def complaint_needs_refresh(*, merchant: Merchant, data: wechatpay.Complaint) -> bool:
    """True when the console does not hold this complaint as WeChat describes it (read only)."""
    complaint = Complaint.objects.filter(complaint_id=data.complaint_id).first()
    return (
        complaint is None
        or complaint.merchant_id != merchant.pk
        or complaint_differs(complaint, data)
    )


def _set_phone(complaint: Complaint, merchant: Merchant, ciphertext: str | None) -> None:
    """A payer's phone never changes: decrypt it once, keep it encrypted with our keys."""
    if not ciphertext or complaint.payer_phone_encrypted:
        return
    try:
        phone = decrypt_payer_phone(merchant, ciphertext)
    except Exception as exc:  # noqa: BLE001 - keep the complaint, record why the phone is missing
        logger.warning(
            "payer_phone of complaint %s does not decrypt (%s)",
            complaint.complaint_id,
            type(exc).__name__,
        )
        return
    complaint.payer_phone_encrypted = encrypt_text(phone)
    complaint.payer_phone_last4 = phone[-4:]
    complaint.payer_phone_masked = mask_phone(phone)


def mask_phone(phone: str) -> str:
    """138****8000: enough to recognise a caller, not enough to call them."""
    if len(phone) <= 7:
        return "*" * max(len(phone) - 2, 0) + phone[-2:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def _apply_work_fields(complaint: Complaint, now: datetime) -> None:
    """Deadlines and progress that follow from WeChat's fields."""
    complaint.first_reply_due_at, complaint.complete_due_at = deadlines_for(
        complaint.complaint_time, immediate=complaint.need_immediate_service
    )
    state = complaint.complaint_state
    if (
        state != Complaint.State.PENDING
        and complaint.first_replied_at is None
        and not _acknowledged_automatically(complaint)
    ):
        # Replied to elsewhere (WeChat's merchant platform): the history may know when exactly.
        complaint.first_replied_at = now
    if state == Complaint.State.PROCESSED:
        complaint.completed_at = complaint.completed_at or now
    else:
        complaint.completed_at = None
    complaint.sla_status = sla_status_for(complaint, now)


def _acknowledged_automatically(complaint: Complaint) -> bool:
    """True when the console sent an automatic acknowledgement that may explain PROCESSING: that
    is not a human reply, so the first-reply deadline keeps counting. A human reply sent through
    the console sets first_replied_at on delivery; one sent on WeChat's merchant platform shows
    up in the history (`_after_new_history`)."""
    if complaint.pk is None:
        return False
    return reply_side().automatic_open(complaint)


def complaint_upsert(*, merchant: Merchant, data: wechatpay.Complaint) -> Upserted:
    """Create or update one complaint from WeChat's object. Call inside a transaction.

    The webhook's follow-up and the sync may both see a new complaint at once: the one whose
    insert loses (unique complaint_id) updates the winner's row instead of failing."""
    now = timezone.now()
    complaint = _locked(data.complaint_id)
    if complaint is None:
        inserted = _insert(merchant, data, now)
        if inserted is not None:
            return inserted
        complaint = _locked(data.complaint_id)  # committed by the winner meanwhile
    return _update(complaint, merchant, data, now)


def _locked(complaint_id: str) -> Complaint | None:
    return Complaint.objects.select_for_update().filter(complaint_id=complaint_id).first()


def _insert(merchant: Merchant, data: wechatpay.Complaint, now: datetime) -> Upserted | None:
    """The new row, or None when another transaction inserted the same complaint first."""
    complaint = Complaint(merchant=merchant, complaint_id=data.complaint_id, **wechat_fields(data))
    _set_phone(complaint, merchant, data.payer_phone)
    if data.payer_openid is not None:
        complaint.detail_synced_at = now
    _apply_work_fields(complaint, now)
    try:
        with transaction.atomic():  # a savepoint: losing the race leaves the outer one usable
            complaint.save(force_insert=True)
    except IntegrityError:
        if not Complaint.objects.filter(complaint_id=data.complaint_id).exists():
            raise  # some other constraint: not the race
        return None
    _record_images(complaint, data.complaint_media_list, history_log_id="")
    events.announce(events.COMPLAINT_ARRIVED, merchant_id=merchant.pk, complaint_id=complaint.pk)
    return Upserted(complaint, True, True)


def _update(
    complaint: Complaint, merchant: Merchant, data: wechatpay.Complaint, now: datetime
) -> Upserted:
    changed = complaint.merchant_id != merchant.pk or complaint_differs(complaint, data)
    previous_state = complaint.complaint_state
    complaint.merchant = merchant
    for name, value in wechat_fields(data).items():
        setattr(complaint, name, value)
    had_phone = bool(complaint.payer_phone_encrypted)
    _set_phone(complaint, merchant, data.payer_phone)
    changed = changed or (bool(complaint.payer_phone_encrypted) and not had_phone)
    if data.payer_openid is not None:
        complaint.detail_synced_at = now
    if not changed:
        if data.payer_openid is not None:
            Complaint.objects.filter(pk=complaint.pk).update(detail_synced_at=now)
        return Upserted(complaint, False, False)
    _apply_work_fields(complaint, now)
    complaint.save()
    if previous_state != complaint.complaint_state:
        TimelineEvent.objects.create(
            complaint=complaint,
            kind=TimelineEvent.Kind.STATE_CHANGED,
            data={"from": previous_state, "to": complaint.complaint_state},
        )
    _record_images(complaint, data.complaint_media_list, history_log_id="")
    events.announce(events.COMPLAINT_CHANGED, merchant_id=merchant.pk, complaint_id=complaint.pk)
    return Upserted(complaint, False, True)


def _record_images(complaint: Complaint, media_lists: Iterable[Any], *, history_log_id: str):
    rows = []
    for media in media_lists:
        if media is None:
            continue
        for url in media.media_url:
            rows.append(
                ComplaintImage(
                    complaint=complaint,
                    url=url,
                    url_hash=hashlib.sha256(url.encode("utf-8")).hexdigest(),
                    media_type=media.media_type,
                    history_log_id=history_log_id,
                )
            )
    if rows:
        ComplaintImage.objects.bulk_create(rows, ignore_conflicts=True)


def _history_row(complaint: Complaint, entry: wechatpay.HistoryEntry) -> HistoryEntry:
    return HistoryEntry(
        complaint=complaint,
        log_id=entry.log_id,
        operator=entry.operator or "",
        operate_time=parse_time(entry.operate_time) or timezone.now(),
        operate_type=entry.operate_type or "",
        operate_details=entry.operate_details or "",
        image_list=list(entry.image_list),
        complaint_media_list=(
            entry.complaint_media_list.model_dump(mode="json")
            if entry.complaint_media_list
            else None
        ),
        normal_message=entry.normal_message,
        click_message=entry.click_message,
        user_appy_platform_service_reason=entry.user_appy_platform_service_reason or "",
        user_appy_platform_service_reason_description=(
            entry.user_appy_platform_service_reason_description or ""
        ),
    )


def history_ingest(*, complaint: Complaint, entries: Iterable[wechatpay.HistoryEntry]) -> int:
    """Store new negotiation-history entries (by log_id); returns how many were new. A new user,
    platform or merchant message bumps `activity_version`, so a reply drafted before it is
    refused as stale."""
    with transaction.atomic():
        known = set(
            HistoryEntry.objects.filter(complaint=complaint).values_list("log_id", flat=True)
        )
        fresh = {}
        for entry in entries:
            if entry.log_id not in known and entry.log_id not in fresh:
                fresh[entry.log_id] = entry
        Complaint.objects.filter(pk=complaint.pk).update(history_synced_at=timezone.now())
        if not fresh:
            return 0
        rows = [_history_row(complaint, entry) for entry in fresh.values()]
        HistoryEntry.objects.bulk_create(rows, ignore_conflicts=True)
        for entry in fresh.values():
            if entry.complaint_media_list is not None:
                _record_images(complaint, [entry.complaint_media_list], history_log_id=entry.log_id)
        _after_new_history(complaint, rows)
        events.announce(
            events.HISTORY_ADDED, merchant_id=complaint.merchant_id, complaint_id=complaint.pk
        )
        return len(rows)


def _after_new_history(complaint: Complaint, rows: list[HistoryEntry]) -> None:
    updates: dict[str, Any] = {}
    if any(row.operate_type in ACTIVITY_TYPES for row in rows):
        updates["activity_version"] = F("activity_version") + 1
        updates["last_activity_at"] = max(row.operate_time for row in rows)
    # The history knows when things really happened; it beats "when we noticed" (a complaint
    # first seen by a sync long after its first reply). Only human replies count.
    replies = [row.operate_time for row in _human_replies(complaint, rows)]
    if replies and (
        complaint.first_replied_at is None or min(replies) < complaint.first_replied_at
    ):
        updates["first_replied_at"] = min(replies)
    completes = [row.operate_time for row in rows if row.operate_type in COMPLETE_TYPES]
    if completes and complaint.completed_at and max(completes) < complaint.completed_at:
        updates["completed_at"] = max(completes)
    if updates:
        Complaint.objects.filter(pk=complaint.pk).update(**updates)
        complaint.refresh_from_db(fields=list(updates))


def _human_replies(complaint: Complaint, rows: list[HistoryEntry]) -> list[HistoryEntry]:
    """The merchant replies among `rows` written by a person: not the console's automatic
    acknowledgements (known by their log_id) and not messages that declare themselves a bot's.
    A reply made on WeChat's merchant platform has no Reply row here and counts as human."""
    merchant_rows = [row for row in rows if row.operate_type in MERCHANT_REPLY_TYPES]
    if not merchant_rows:
        return []
    automatic = reply_side().automatic_log_ids(complaint, [row.log_id for row in merchant_rows])
    return [row for row in merchant_rows if row.log_id not in automatic and not _sent_by_a_bot(row)]


def first_reply_forget_automatic(*, complaint: Complaint, log_id: str) -> None:
    """An automatic reply's log_id became known. If its history entry was read before that (a
    plain /response answers 204, the log_id comes later), it was taken for the first human
    reply: take the first reply time again from what people sent, so an acknowledgement never
    hides a slow human reply."""
    entry = HistoryEntry.objects.filter(complaint=complaint, log_id=log_id).first()
    if entry is None or complaint.first_replied_at != entry.operate_time:
        return
    merchant_rows = HistoryEntry.objects.filter(
        complaint=complaint, operate_type__in=MERCHANT_REPLY_TYPES
    )
    times = [row.operate_time for row in _human_replies(complaint, list(merchant_rows))]
    times += reply_side().human_delivered_times(complaint)
    complaint.first_replied_at = min(times, default=None)
    complaint.sla_status = sla_status_for(complaint)
    complaint.save(update_fields=["first_replied_at", "sla_status", "updated_at"])


def _sent_by_a_bot(row: HistoryEntry) -> bool:
    """A NormalMessage says who wrote it (§3.5 sender_identity): an acknowledgement whose history
    entry is read before its delivery recorded the log_id is still recognised."""
    message = row.normal_message
    return isinstance(message, dict) and message.get("sender_identity") == "MACHINE"


def complaint_ingest(
    *,
    merchant: Merchant,
    data: wechatpay.Complaint,
    history: Iterable[wechatpay.HistoryEntry] | None = None,
) -> Complaint:
    """Store one complaint (and, when given, its history) in one transaction; if anything
    arrived or changed, index it for search and tell the automation hook."""
    with transaction.atomic():
        outcome = complaint_upsert(merchant=merchant, data=data)
        fresh = history_ingest(complaint=outcome.complaint, entries=history) if history else 0
        if outcome.changed or fresh:
            complaint_search_refresh(complaint_pks=[outcome.complaint.pk])
            on_complaint_ingested(outcome.complaint, created=outcome.created)
    return outcome.complaint
