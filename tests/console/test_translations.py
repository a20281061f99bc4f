"""The zh_Hans catalogue is complete, compiled, and the pages speak the glossary's Chinese."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from console.roles import AGENT
from tests.factories import assign, make_complaint, make_merchant
from tests.fixtures.users import make_user

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"

# English msgid -> the term agents know from WeChat Pay's merchant platform (glossary.md).
GLOSSARY = {
    "Complaints": "投诉单",
    "complained merchant ID": "被诉商户号",
    "Pending": "待处理",
    "Processing": "处理中",
    "Processed": "已处理完成",
    "Needs immediate service": "需即时服务",
    "New user message": "用户有新留言",
    "Negotiation history": "协商历史",
    "Reply to user": "回复用户",
    "Mark as processed": "反馈处理完成",
    "Log ID": "操作流水号",
    "Idempotency ID": "幂等ID",
    "Blocks": "消息块",
    "Suggested questions": "推荐问题",
    "Button group": "按钮组",
    "Open a mini program": "跳转小程序",
    "Reply templates": "回复模板",
    "Due soon": "即将超时",
    "Overdue": "已超时",
    "Claim": "认领",
    "Release": "释放",
    "Internal note": "内部备注",
    "APIv3 key": "APIv3密钥",
    "WeChat Pay public key": "微信支付公钥",
    "Platform certificates": "平台证书",
    "Notification URL": "回调地址",
    "Log out": "退出登录",
}


def _msgfmt() -> str:
    path = shutil.which("msgfmt")
    if path is None:
        pytest.fail("msgfmt is missing: install GNU gettext (apt-get install -y gettext)")
    return path


def _compile(po: Path, mo: Path) -> str:
    """Compile as Django's compilemessages does (with format checks); return msgfmt's report."""
    result = subprocess.run(
        [_msgfmt(), "--check", "--statistics", "-o", str(mo), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"msgfmt refused {po}:\n{result.stderr}"
    return result.stderr


def _messages(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def test_every_entry_is_translated_and_none_is_fuzzy(tmp_path):
    report = _compile(PO, tmp_path / "django.mo")

    assert "translated message" in report
    assert "untranslated" not in report, report
    assert "fuzzy" not in report, report


def test_the_committed_mo_is_compiled_from_the_committed_po(tmp_path):
    fresh = tmp_path / "django.mo"
    _compile(PO, fresh)

    assert _messages(MO) == _messages(fresh), (
        "django.mo is out of date: run manage.py compilemessages -l zh_Hans and commit it"
    )


def test_the_catalogue_uses_the_glossary_terms():
    with translation.override("zh-hans"):
        found = {msgid: translation.gettext(msgid) for msgid in GLOSSARY}

    assert found == GLOSSARY


@pytest.mark.django_db
def test_the_login_page_is_in_chinese(client):
    page = client.get(reverse("login")).content.decode()

    assert "登录" in page
    assert "Log in" not in page


@pytest.mark.django_db
def test_an_agents_queue_and_complaint_page_use_the_glossary_terms(client):
    agent = make_user("agent_zh", AGENT)
    merchant = make_merchant()
    assign(agent, merchant)
    complaint = make_complaint(merchant, need_immediate_service=True)
    client.force_login(agent)

    queue = client.get(reverse("complaints:queue")).content.decode()
    detail = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()

    for term in ("投诉单", "需即时服务", "待处理", "认领", "退出登录"):
        assert term in queue, term
    for term in ("协商历史", "首次响应时限", "内部备注", "需即时服务"):
        assert term in detail, term
    assert "Needs immediate service" not in queue + detail
