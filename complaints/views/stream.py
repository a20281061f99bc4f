"""The live stream: one Server-Sent Events response per browser tab.

Each message names what changed by ids (`console.events`); the page fetches what it may see
through the usual views. A stream hears only its user's merchants (re-read every minute, so a
new assignment or a deactivation takes effect without a reload) and that user's own alerts.
The browser resumes with `Last-Event-ID`; the first connection of a page passes `since`, the
time it was rendered, so nothing between the render and the connection is lost.
"""

from __future__ import annotations

import asyncio
import random
import time
import weakref
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib import import_module

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_not_required
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaints.selectors import complaints_visible_to
from complaints.services import presence_leave, presence_page_id, presence_touch
from console.live import RESET, RESET_SSE, Subscriber, backlog, hub, sse
from console.sessions import session_data_expired
from merchants.selectors import merchants_visible_to


def _briefly(function, *, thread_sensitive: bool = True):
    """Run `function` in this request's sync thread, then close that thread's database
    connection: a stream lives for hours, and must not hold a connection while it waits.
    (`thread_sensitive=False` for the clean-up after a disconnect, when the request's own
    thread may already be gone.)"""

    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:  # a test's transaction is not ours to end
                    connection.close()

    return sync_to_async(run, thread_sensitive=thread_sensitive)


SETUP_CONCURRENCY = 8
KEEPALIVE_SECONDS = 15
PRESENCE_RENEW_SECONDS = 10
RETRY_MS = (1000, 5000)  # reconnect after 1-5 s, spread so tabs do not all return at once


@login_not_required  # checked below, inside the gate, so a reconnect storm cannot flood the DB
@require_GET
async def stream(request: HttpRequest) -> HttpResponse:
    async with _setup_gate():
        return await _open(request)


def _setup_gate() -> asyncio.Semaphore:
    """At most a few streams per process read the database while they open: after a restart
    every tab reconnects at once, and each would otherwise hold a connection of its own."""
    loop = asyncio.get_running_loop()
    if loop not in _gates:
        _gates[loop] = asyncio.Semaphore(SETUP_CONCURRENCY)
    return _gates[loop]


_gates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def _open(request: HttpRequest) -> HttpResponse:
    user = await _briefly(_signed_in)(request)
    if user is None:
        return HttpResponse(_("Sign in to receive live updates."), status=403)
    try:
        last_id = _int(request.headers.get("Last-Event-ID") or request.GET.get("last_id"))
        since = _since(request.GET.get("since"))
        complaint_pk = _int(request.GET.get("complaint"))
    except ValueError:
        return HttpResponse(_("Malformed live stream parameters."), status=400)
    if not isinstance(request, ASGIRequest):
        # Served by a WSGI server (or a test client), a stream would hold a worker thread per
        # tab: say so, and the page falls back to polling.
        return HttpResponse(sse({"kind": "unavailable"}), content_type="text/event-stream")
    merchant_ids = await _briefly(_merchant_ids)(user)
    presence = None
    if complaint_pk is not None:
        presence = await _briefly(_presence_of)(user, complaint_pk, request.GET.get("page"))
    subscriber = Subscriber(user_id=user.pk, merchant_ids=merchant_ids)
    hub.subscribe(subscriber)  # before reading the backlog: nothing falls between the two
    missed = await _briefly(backlog)(
        merchant_ids=merchant_ids, user_id=user.pk, last_id=last_id, since=since
    )
    response = StreamingHttpResponse(
        _messages(user, request.session.session_key, subscriber, missed, presence),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each message through at once
    return response


def _int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    number = int(value)
    if number < 0 or number > 2**62:
        raise ValueError(value)
    return number


def _since(value: str | None) -> datetime | None:
    """The page's render time, in milliseconds since the epoch (half a second of slack: events
    are stamped by other processes, whose clocks may differ a little)."""
    millis = _int(value)
    if millis is None:
        return None
    return datetime.fromtimestamp(millis / 1000 - 0.5, tz=UTC)


def _signed_in(request: HttpRequest):
    user = request.user
    return user if user.is_authenticated and user.is_active else None


def _still_signed_in(session_key: str | None, user) -> bool:
    """The session this stream was opened with still exists, is this user's and is within its
    age and idle limits (an open stream is not activity: an unattended tab still times out)."""
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    if str(data.get(SESSION_KEY)) != str(user.pk) or session_data_expired(data, time.time()):
        return False
    user.refresh_from_db(fields=["is_active"])
    return user.is_active


def _merchant_ids(user) -> frozenset[int]:
    user.refresh_from_db(fields=["is_active"])
    if not user.is_active:
        return frozenset()
    return frozenset(merchants_visible_to(user).values_list("pk", flat=True))


def _presence_of(user, complaint_pk: int, page: str | None) -> dict | None:
    """What this stream keeps present: the page it serves (`page`, the complaint page's own id),
    by this stream (an id of its own), on the complaint, if the user may see it."""
    visible = complaints_visible_to(user).filter(pk=complaint_pk)
    merchant_id = visible.values_list("merchant_id", flat=True).first()
    if merchant_id is None:
        return None
    return {
        "complaint_pk": complaint_pk,
        "user": user,
        "page": presence_page_id(page),
        "stream": presence_page_id(),
        "merchant_id": merchant_id,
    }


async def _messages(
    user,
    session_key: str | None,
    subscriber: Subscriber,
    missed: list[dict] | None,
    presence: dict | None,
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    renew_at = scope_at = loop.time()
    try:
        if presence:  # present before the page hears "ready"
            renew_at += PRESENCE_RENEW_SECONDS
            await _briefly(presence_touch)(**presence)
        retry = random.randint(*RETRY_MS)  # noqa: S311 - spreading load, not a secret
        yield f"retry: {retry}\n\n" + sse({"kind": "ready"})
        for message in [RESET] if missed is None else missed:
            yield sse(message)
        while True:
            now = loop.time()
            if presence and now >= renew_at:
                renew_at = now + PRESENCE_RENEW_SECONDS
                await _briefly(presence_touch)(**presence)
            if now >= scope_at:
                scope_at = now + settings.LIVE_STREAM_RECHECK_SECONDS
                if not await _briefly(_still_signed_in)(session_key, user):
                    return  # signed out, idle too long or deactivated: the page learns on reconnect
                subscriber.merchant_ids = await _briefly(_merchant_ids)(user)
            wait = min(renew_at if presence else scope_at, scope_at, now + KEEPALIVE_SECONDS)
            try:
                message = await asyncio.wait_for(subscriber.queue.get(), max(wait - now, 0.05))
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if message is RESET_SSE:
                subscriber.overflowed = False
            yield message
    finally:
        hub.unsubscribe(subscriber)
        if presence:
            await _briefly(presence_leave, thread_sensitive=False)(**presence)
