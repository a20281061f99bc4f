"""The live stream: one Server-Sent Events response per browser tab.

Each message names what changed by ids (`console.events`); the page fetches what it may see
through the usual views. A stream hears only its user's merchants (re-read every minute, so a
new assignment or a deactivation takes effect without a reload) and that user's own alerts.
The browser resumes with `Last-Event-ID`; the first connection of a page passes `since`, the
time it was rendered, so nothing between the render and the connection is lost.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaints.selectors import complaints_visible_to
from complaints.services import presence_leave, presence_touch
from console.live import RESET, Subscriber, backlog, hub
from merchants.selectors import merchants_visible_to

KEEPALIVE_SECONDS = 15
PRESENCE_RENEW_SECONDS = 10
SCOPE_REFRESH_SECONDS = 60
RETRY_MS = 2000


@require_GET
async def stream(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    if not user.is_authenticated or not user.is_active:
        return HttpResponse(_("Sign in to receive live updates."), status=403)
    try:
        last_id = _int(request.headers.get("Last-Event-ID") or request.GET.get("last_id"))
        since = _since(request.GET.get("since"))
        complaint_pk = _int(request.GET.get("complaint"))
    except ValueError:
        return HttpResponse(_("Malformed live stream parameters."), status=400)
    merchant_ids = await sync_to_async(_merchant_ids)(user)
    watched = None
    if complaint_pk is not None:
        watched = await sync_to_async(_watched)(user, complaint_pk)
    subscriber = Subscriber(user_id=user.pk, merchant_ids=merchant_ids)
    hub.subscribe(subscriber)  # before reading the backlog: nothing falls between the two
    missed = await sync_to_async(backlog)(
        merchant_ids=merchant_ids, user_id=user.pk, last_id=last_id, since=since
    )
    response = StreamingHttpResponse(
        _messages(user, subscriber, missed, watched), content_type="text/event-stream"
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
    """The page's render time, in seconds since the epoch (two seconds of slack: the page's
    clock reading is truncated, and events are stamped by other processes)."""
    seconds = _int(value)
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds - 2, tz=UTC)


def _merchant_ids(user) -> frozenset[int]:
    user.refresh_from_db(fields=["is_active"])
    if not user.is_active:
        return frozenset()
    return frozenset(merchants_visible_to(user).values_list("pk", flat=True))


def _watched(user, complaint_pk: int) -> tuple[int, int] | None:
    """The complaint whose page this is, if the user may see it: (pk, merchant id)."""
    found = complaints_visible_to(user).filter(pk=complaint_pk).values_list("pk", "merchant_id")
    return found.first()


def _format(message: dict) -> str:
    data = json.dumps(message, separators=(",", ":"))
    if "id" in message:
        return f"id: {message['id']}\nevent: change\ndata: {data}\n\n"
    return f"event: {message['kind']}\ndata: {data}\n\n"


async def _messages(
    user, subscriber: Subscriber, missed: list[dict] | None, watched: tuple[int, int] | None
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    renew_at = scope_at = loop.time()
    try:
        yield f"retry: {RETRY_MS}\n\n" + _format({"kind": "ready"})
        for message in [RESET] if missed is None else missed:
            yield _format(message)
        while True:
            now = loop.time()
            if watched and now >= renew_at:
                renew_at = now + PRESENCE_RENEW_SECONDS
                await sync_to_async(presence_touch)(
                    complaint_pk=watched[0], user=user, mode=None, merchant_id=watched[1]
                )
            if now >= scope_at:
                scope_at = now + SCOPE_REFRESH_SECONDS
                subscriber.merchant_ids = await sync_to_async(_merchant_ids)(user)
                if not subscriber.merchant_ids and not user.is_active:
                    return
            wait = min(renew_at if watched else scope_at, scope_at, now + KEEPALIVE_SECONDS)
            try:
                message = await asyncio.wait_for(subscriber.queue.get(), max(wait - now, 0.05))
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if message is RESET:
                subscriber.overflowed = False
            yield _format(message)
    finally:
        hub.unsubscribe(subscriber)
        if watched:
            await sync_to_async(presence_leave)(
                complaint_pk=watched[0], user=user, merchant_id=watched[1]
            )
