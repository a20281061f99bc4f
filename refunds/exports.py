"""The refund history as CSV, made like the reply history's (messaging/exports.py): UTF-8 with a
BOM, headers in the UI language, Asia/Shanghai times, long ids kept as text with a leading
backquote (as WeChat Pay's own bills do), formula-like text neutralised with an apostrophe."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from console.people import person_name
from refunds.models import Refund

ID_MARK = "`"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ZONE = ZoneInfo("Asia/Shanghai")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _text(value: str) -> str:
    value = value or ""
    return "'" + value if value.startswith(FORMULA_START) else value


def _id(value: str) -> str:
    return ID_MARK + value if value else ""


def _time(value) -> str:
    return timezone.localtime(value, ZONE).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def headers() -> list[str]:
    zone = _("%(zone)s time") % {"zone": "Asia/Shanghai"}
    return [
        f"{_('Requested')} ({zone})", _("Merchant ID"), _("Complaint ID"), _("Transaction ID"),
        _("Merchant refund number"), _("WeChat refund ID"), _("Amount (yuan)"), _("Status"),
        _("Reason shown to the user"), _("Requested by"), _("Approved or declined by"),
        f"{_('Arrived')} ({zone})", _("Error code"), _("Error message"), _("Attempts"),
    ]  # fmt: skip


def row(refund: Refund) -> list[str]:
    return [
        _time(refund.created_at), _id(refund.merchant.mchid), _id(refund.complaint.complaint_id),
        _id(refund.transaction_id), _text(refund.out_refund_no), _id(refund.refund_id),
        f"{refund.amount / 100:.2f}", str(refund.get_status_display()), _text(refund.reason),
        _text(person_name(refund.requested_by)) if refund.requested_by else "",
        _text(person_name(refund.decided_by)) if refund.decided_by else "",
        _time(refund.succeeded_at), _text(refund.error_code), _text(refund.error_message),
        str(refund.attempt_count),
    ]  # fmt: skip


def csv_lines(refunds: QuerySet[Refund]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers())
    for refund in refunds.iterator(chunk_size=500):
        yield writer.writerow(row(refund))
