"""An admin presses "Test connection" against a port nobody listens on: the page says, in
Chinese, that the connection was refused and what to check, and never blames WeChat Pay."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from merchants.models import Merchant
from merchants.services import credential_add
from tests.factories import sign_in_browser
from tests.fixtures.users import make_user
from tests.merchants.conftest import parsed_from

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOT = Path(settings.BASE_DIR) / "artifacts" / "screenshots" / "zh" / "admin"


def test_a_refused_connection_is_explained_in_chinese(live_server, page, material):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    merchant = Merchant.objects.create(
        mchid="1900000109", name="A", api_base_url=f"http://127.0.0.1:{port}",
        backup_api_base_url="",
    )  # fmt: skip
    credential_add(merchant=merchant, parsed=parsed_from(material))
    sign_in_browser(page, live_server.url, make_user("conn_admin", "admin"))

    page.goto(f"{live_server.url}/merchants/{merchant.pk}/")
    page.get_by_role("button", name="测试连接").click()

    flash = page.locator(".flash-error")
    expect(flash).to_contain_text("拒绝了连接")
    expect(flash).to_contain_text("请检查")
    expect(flash).not_to_contain_text("微信支付返回")
    SHOT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT / "merchants_test_connection_refused.png"), full_page=True)
