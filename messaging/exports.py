"""The supervisors' reply-history spreadsheet: one row per reply, as CSV or XLSX.

Made to open by double-click in Excel and WPS:
- CSV is UTF-8 with a BOM (without it Excel reads Chinese as GBK and shows mojibake);
- headers are in the UI language; times are Asia/Shanghai, and the header says so;
- long numeric ids (complaint ID, transaction ID, log ID, merchant ID) stay text. A CSV has no
  cell types, so Excel turns any digit string into a number (a 27-digit id becomes 2.00E+26 and
  its last digits are lost for good). We write them the way WeChat Pay's own bill downloads do:
  with a leading backquote (`4200…`), which agents already know from the merchant platform, which
  stays visible (nobody mistakes it for part of the id) and which survives every CSV tool, unlike
  the ="…" formula (a formula, exactly what we neutralise) or an invisible tab. The XLSX export
  has real text cells and needs no marker at all;
- text that a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe
  (OWASP "CSV injection"); in XLSX such text is written as a text cell, never a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from console.people import person_name
from messaging.models import Reply
from messaging.schema.blocks import block_plain_text

ID, TEXT, TIME, NUMBER = "id", "text", "time", "number"
ID_MARK = "`"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    kind: str


COLUMNS = [
    Column("created_at", gettext_lazy("Submitted"), TIME),
    Column("complaint_id", gettext_lazy("Complaint ID"), ID),
    Column("transaction_id", gettext_lazy("Transaction ID"), ID),
    Column("mchid", gettext_lazy("Merchant ID"), ID),
    Column("author", gettext_lazy("Written by"), TEXT),
    Column("endpoint", gettext_lazy("Kind"), TEXT),
    Column("status", gettext_lazy("Status"), TEXT),
    Column("content", gettext_lazy("Reply text"), TEXT),
    Column("idempotent_id", gettext_lazy("Idempotency ID"), ID),
    Column("log_id", gettext_lazy("Log ID"), ID),
    Column("attempts", gettext_lazy("Attempts"), NUMBER),
    Column("last_http_status", gettext_lazy("Last HTTP status"), NUMBER),
    Column("last_request_id", gettext_lazy("Last Request-ID"), ID),
    Column("error_code", gettext_lazy("Error code"), TEXT),
    Column("error_message", gettext_lazy("Error message"), TEXT),
    Column("delivered_at", gettext_lazy("Delivered at"), TIME),
    Column("failed_at", gettext_lazy("Failed at"), TIME),
]


def headers() -> list[str]:
    zone = _("%(zone)s time") % {"zone": EXPORT_TIME_ZONE}
    return [f"{c.label} ({zone})" if c.kind == TIME else str(c.label) for c in COLUMNS]


def reply_text(reply: Reply) -> str:
    """What the user was sent, as plain text: one line per block (the history page shows the
    same blocks rendered)."""
    payload = reply.payload or {}
    if reply.endpoint == Reply.Endpoint.RESPONSE:
        lines = [payload.get("response_content", "")]
        lines += [f"[{_('Image')} {m}]" for m in payload.get("response_images") or []]
        if payload.get("jump_url"):
            lines.append(f"{payload.get('jump_url_text', '')} ({payload['jump_url']})")
        return "\n".join(line for line in lines if line)
    if reply.endpoint == Reply.Endpoint.IMMEDIATE:
        blocks = (payload.get("message") or {}).get("blocks") or []
        return "\n".join(filter(None, (block_plain_text(block) for block in blocks)))
    if reply.endpoint == Reply.Endpoint.REFUND:
        if payload.get("action") == "APPROVE":
            return _("Refund approved")
        reason = payload.get("reject_reason")
        return _("Refund rejected") + (f": {reason}" if reason else "")
    return _("Marked as processed")


def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return timezone.localtime(value, ZoneInfo(EXPORT_TIME_ZONE)).replace(tzinfo=None)


def rows(replies: QuerySet[Reply]) -> Iterator[list[Any]]:
    """Typed values in COLUMNS order: ids and text as str, times as naive Asia/Shanghai
    datetimes, counts as int (None when empty)."""
    for reply in replies.iterator(chunk_size=500):
        attempts = list(reply.attempts.all())
        last = attempts[-1] if attempts else None
        author = _("Automatic") if reply.is_automatic else person_name(reply.author)
        yield [
            _local(reply.created_at), reply.complaint.complaint_id,
            reply.complaint.transaction_id, reply.merchant.mchid, author,
            reply.get_endpoint_display(), reply.get_status_display(), reply_text(reply),
            str(reply.idempotent_id), reply.log_id, reply.attempt_count,
            last.http_status if last else None, last.request_id if last else "",
            reply.error_code, reply.error_message,
            _local(reply.delivered_at), _local(reply.failed_at),
        ]  # fmt: skip


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(column: Column, value: Any) -> str:
    if value is None or value == "":
        return ""
    if column.kind == ID:
        return ID_MARK + str(value)
    if column.kind == TIME:
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if column.kind == NUMBER:
        return str(value)
    return neutralise(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(replies: QuerySet[Reply]) -> Iterator[str]:
    """The CSV, line by line, for a streaming response; the first line starts with the BOM."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers())
    for values in rows(replies):
        yield writer.writerow([csv_cell(c, v) for c, v in zip(COLUMNS, values, strict=True)])


def write_xlsx(replies: QuerySet[Reply], out: IO[bytes]) -> None:
    """The XLSX, built in openpyxl's write-only mode (rows go to disk as they come, so memory
    stays flat for large exports): ids and text are text cells, times real date-times."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Reply history"))
    for index, column in enumerate(COLUMNS):
        width = {ID: 30, TIME: 20, NUMBER: 10}.get(column.kind, 16)
        width = 60 if column.key in ("content", "error_message") else width
        sheet.column_dimensions[_column_letter(index)].width = width
    sheet.append(headers())
    for values in rows(replies):
        cells = []
        for column, value in zip(COLUMNS, values, strict=True):
            cell = WriteOnlyCell(sheet)
            if column.kind == TIME and value is not None:
                cell.value = value
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif column.kind == NUMBER:
                cell.value = value
            elif value:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
    workbook.save(out)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
