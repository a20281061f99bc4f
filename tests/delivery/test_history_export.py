"""The supervisors' spreadsheet opens right in Excel/WPS: BOM, headers in the UI language, ids as
text, Asia/Shanghai times, the reply's text, no formulas; and the same rows as XLSX."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import openpyxl
import pytest
from django.urls import reverse

from console.roles import SUPERVISOR
from messaging.models import Reply
from tests.delivery.conftest import assign, make_complaint, make_merchant
from tests.delivery.test_views import make_reply
from tests.factories import logged_in
from tests.fixtures.users import make_user

COMPLAINT_ID = "200201234567890123456789012"  # 27 digits: Excel would show 2.00E+26
TRANSACTION_ID = "4200001234202612051234567890"
LOG_ID = "300285320220912000000123456"
IMMEDIATE = {
    "message": {
        "blocks": [
            {"type": "TEXT", "text": {"text": "您好，退款已发起。"}},
            {"type": "BUTTON", "button": {"text": "查看进度", "action": {
                "action_type": "ACTION_TYPE_JUMP_URL", "jump_url": "https://example.com/r"}}},
        ]
    }
}  # fmt: skip
NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


def as_excel_reads(cell: str) -> object:
    """How Excel types a CSV cell when the file is opened by double-click: anything that looks
    like a number becomes one (15 significant digits kept, the rest lost), the rest stays text."""
    if NUMBER.match(cell):
        return float(f"{float(cell):.15g}")
    return cell


@pytest.fixture
def boss(db):
    shop = make_merchant(mchid="1900000109")
    user = make_user("boss", SUPERVISOR)
    user.first_name, user.last_name = "主管", "王"
    user.save()
    assign(user, shop)
    complaint = make_complaint(shop, complaint_id=COMPLAINT_ID, transaction_id=TRANSACTION_ID)
    agent = make_user("agent_x")
    agent.first_name = "演示客服"
    agent.save()
    make_reply(
        complaint, agent, endpoint=Reply.Endpoint.IMMEDIATE, payload=IMMEDIATE,
        status=Reply.Status.DELIVERED, log_id=LOG_ID,
        delivered_at=datetime(2026, 12, 5, 1, 2, 3, tzinfo=UTC),
    )  # fmt: skip
    make_reply(complaint, None, payload={"response_content": '=HYPERLINK("x")'})
    return user


def test_the_unmarked_id_would_be_ruined_by_excel():
    # The reason for the mark: this is what Excel does to the bare id.
    assert as_excel_reads(COMPLAINT_ID) == 2.00201234567890e26


def test_csv_opens_in_excel_with_chinese_headers_and_ids_as_text(boss):
    response = logged_in(boss, "zh-hans").get(reverse("messaging:history_csv"))
    raw = b"".join(response.streaming_content)

    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8, not GBK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[:4] == ["提交时间 (Asia/Shanghai 时间)", "投诉单号", "微信支付订单号", "商户号"]
    delivered = dict(zip(header, rows[-1], strict=True))  # oldest last
    for column, value in (("投诉单号", COMPLAINT_ID), ("微信支付订单号", TRANSACTION_ID),
                          ("操作流水号", LOG_ID), ("商户号", "1900000109")):  # fmt: skip
        seen = as_excel_reads(delivered[column])
        assert isinstance(seen, str) and seen == "`" + value, column
    assert delivered["送达时间 (Asia/Shanghai 时间)"] == "2026-12-05 09:02:03"
    assert delivered["回复人"] == "演示客服"
    assert delivered["回复内容"] == "您好，退款已发起。\n[查看进度]"
    assert delivered["类型"] == "即时服务回复"


def test_csv_neutralises_formula_looking_text(boss):
    response = logged_in(boss, "zh-hans").get(reverse("messaging:history_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")

    header, newest, _ = list(csv.reader(io.StringIO(text)))
    assert newest[header.index("回复内容")] == '\'=HYPERLINK("x")'


def test_csv_headers_follow_the_ui_language(boss):
    response = logged_in(boss, "en").get(reverse("messaging:history_csv"))
    header = next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert header[:3] == ["Submitted (Asia/Shanghai time)", "Complaint ID", "Transaction ID"]


def test_xlsx_has_text_ids_real_times_and_no_formulas(boss):
    response = logged_in(boss, "zh-hans").get(reverse("messaging:history_xlsx"))

    assert response["Content-Disposition"].startswith('attachment; filename="reply-history-')
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, newest, delivered = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    delivered = dict(zip(header, delivered, strict=True))
    assert delivered["投诉单号"] == COMPLAINT_ID
    assert delivered["微信支付订单号"] == TRANSACTION_ID
    assert delivered["操作流水号"] == LOG_ID
    assert delivered["送达时间 (Asia/Shanghai 时间)"] == datetime(2026, 12, 5, 9, 2, 3)
    assert newest[header.index("回复内容")] == '=HYPERLINK("x")'
    cell = workbook.active.cell(row=2, column=header.index("回复内容") + 1)
    assert cell.data_type == "s"  # text, not a formula


def test_exports_are_for_reviewers_only(db):
    agent = make_user("agent_y", "agent")
    for name in ("messaging:history_csv", "messaging:history_xlsx"):
        assert logged_in(agent).get(reverse(name)).status_code == 403
