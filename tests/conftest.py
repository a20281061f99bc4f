"""Shared test setup: real PostgreSQL, Redis, Celery workers, the sandbox and Chromium."""

import os
import subprocess
import time

import pytest
from django.utils import translation

# Playwright's sync API runs an event loop in the test thread; Django's live server is fine with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = [
    "tests.fixtures.celery_worker",
    "tests.fixtures.users",
    "tests.fixtures.sandbox",
    "tests.fixtures.redis_server",
]


@pytest.fixture(scope="session")
def live_server():
    """The console as production serves it: ASGI under uvicorn (the live stream is async)."""
    from tests.fixtures.asgi_server import AsgiLiveServer

    server = AsgiLiveServer()
    yield server
    server.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        )
    if not _has_chinese_font():
        pytest.fail(
            "no Chinese font: the Chinese UI (and its screenshots) would show empty boxes;"
            " install Debian's fonts-noto-cjk (apt-get install -y fonts-noto-cjk)"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _has_chinese_font() -> bool:
    try:
        found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return False
    return bool(found.stdout.strip())


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 720}, "locale": "zh-CN"}


@pytest.fixture
def page(page, live_server):
    """Playwright's page, left cleanly: leaving the console fires the composer's last draft save
    (pagehide, keepalive); let the live server finish it before the test database is flushed,
    or the flush's TRUNCATE can deadlock with that save."""
    yield page
    if not page.is_closed():
        page.goto("about:blank")
        time.sleep(0.5)


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code a test calls directly speaks English (the msgids), so messages can be asserted as
    written; requests still go through the middleware, which serves Chinese first."""
    with translation.override("en"):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a test whose part is missing fails: a skip is turned into a failure."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which is not allowed: {report.longrepr}"
