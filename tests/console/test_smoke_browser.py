"""A demo agent logs in, switches language and logs out, in real Chromium."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo_password(username: str) -> str:
    out = io.StringIO()
    call_command("demo_setup", stdout=out)
    match = re.search(rf"^\s+\w+\s+{username}\s+(\S+)$", out.getvalue(), re.MULTILINE)
    assert match, out.getvalue()
    return match.group(1)


def test_demo_agent_logs_in_switches_language_and_logs_out(live_server, page):
    password = demo_password("agent")

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill("agent")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("whoami")).to_contain_text("演示客服")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
