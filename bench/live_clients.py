"""The clients of bench/live.py: many SSE streams on one asyncio loop, and real Chromium pages."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict
from urllib.parse import urlsplit

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip


class StreamClients:
    """`count` EventSource-like clients; records when each saw each complaint's event."""

    def __init__(self, url: str, session: str, count: int) -> None:
        self.url, self.session, self.count = url, session, count
        self.arrivals: dict[int, list[float]] = defaultdict(list)
        self.ready = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        # Tabs open over time, not in one instant: 25 at a time, each batch once the last is in.
        self.tasks = []
        for start in range(0, count, 25):
            batch = min(25, count - start)
            self.tasks += [
                asyncio.run_coroutine_threadsafe(self._stream(), self.loop) for _ in range(batch)
            ]
            self.wait_ready(expected=start + batch)

    async def _stream(self) -> None:
        parts = urlsplit(self.url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        writer.write(
            (
                f"GET /complaints/stream/ HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                f"Accept: text/event-stream\r\nCookie: sessionid={self.session}\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                text = line.decode().strip()
                if text.startswith("event: ready"):
                    self.ready += 1
                elif text.startswith("data: {") and '"complaint_id"' in text:
                    seen = time.time()
                    self.arrivals[json.loads(text[6:])["complaint_id"]].append(seen)
        finally:
            writer.close()

    def wait_ready(self, timeout: float = 120, expected: int | None = None) -> None:
        expected = self.count if expected is None else expected
        deadline = time.monotonic() + timeout
        while self.ready < expected:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.ready} of {expected} streams became ready")
            time.sleep(0.05)

    def latencies(self, sent: dict[int, tuple[str, float]], timeout: float) -> dict[str, list]:
        return _latencies(lambda: self.arrivals, sent, self.count, timeout)

    def close(self) -> None:
        async def shutdown() -> None:
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)


def _latencies(arrivals, sent, expected: int, timeout: float) -> dict[str, list[float]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = arrivals()
        if all(len(seen.get(marker, [])) >= expected for marker in sent):
            break
        time.sleep(0.1)
    result: dict[str, list[float]] = defaultdict(list)
    seen = arrivals()
    for marker, (kind, started) in sent.items():
        result[kind] += [(t - started) * 1000 for t in seen.get(marker, [])]
    return result


class Browsers:
    def __init__(self, playwright, browser, pages) -> None:
        self.playwright, self.browser, self.pages = playwright, browser, pages

    def latencies(self, sent, timeout: float) -> dict[str, list[float]]:
        def arrivals() -> dict[int, list[float]]:
            seen: dict[int, list[float]] = defaultdict(list)
            for page in self.pages:
                for marker, millis in page.evaluate("window.__arrivals || []"):
                    seen[marker].append(millis / 1000)
            return seen

        return _latencies(arrivals, sent, len(self.pages), timeout)

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()


RECORDER = """
window.__arrivals = [];
document.addEventListener("live:change",
  (e) => window.__arrivals.push([e.detail.complaint_id, Date.now()]));
"""


def _chromium(url: str, session: str):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": session, "url": url}])
    return playwright, browser, context


def open_browsers(url: str, session: str, count: int) -> Browsers:
    playwright, browser, context = _chromium(url, session)
    pages = []
    for _ in range(count):
        page = context.new_page()
        page.goto(f"{url}/complaints/")
        page.locator("body[data-live-state=live]").wait_for(state="attached", timeout=30_000)
        page.evaluate(RECORDER)
        pages.append(page)
    return Browsers(playwright, browser, pages)


def idle_requests_per_minute(url: str, session: str, complaint_pk: int, seconds: float) -> float:
    """Requests an idle tab makes, once loaded (the stream itself counts as one)."""
    playwright, browser, context = _chromium(url, session)
    try:
        counts = []
        for path in ("/complaints/", f"/complaints/{complaint_pk}/"):
            page = context.new_page()
            page.goto(url + path)
            page.locator("body[data-live-state=live]").wait_for(state="attached", timeout=30_000)
            page.wait_for_load_state("networkidle")
            requests_seen: list[str] = []
            page.on("request", lambda request, seen=requests_seen: seen.append(request.url))
            page.wait_for_timeout(seconds * 1000)
            counts.append(len(requests_seen) * 60 / seconds)
            page.close()
        return sum(counts) / len(counts)
    finally:
        browser.close()
        playwright.stop()
