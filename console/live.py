"""The web process's side of live events: one listener per process, fanned out to every stream.

With Redis, the listener subscribes to the channel `console.events` publishes on; without it
(embedded mode), it tails the `LiveEvent` table a few times a second: one query per process,
never one per browser tab. Each open stream registers a `Subscriber` with what it may hear.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from asgiref.sync import sync_to_async
from django.conf import settings

from console import events

logger = logging.getLogger(__name__)

TAIL_INTERVAL_SECONDS = 0.2
QUEUE_LIMIT = 2000
BACKLOG_LIMIT = 1000
RESET = {"kind": "reset"}  # "you missed too much: re-read everything"


def sse(message: dict) -> str:
    """One Server-Sent Events message: an `id` (to resume from) for stored events, else a name."""
    data = json.dumps(message, separators=(",", ":"))
    if "id" in message:
        return f"id: {message['id']}\nevent: change\ndata: {data}\n\n"
    return f"event: {message['kind']}\ndata: {data}\n\n"


RESET_SSE = sse(RESET)


@dataclass(eq=False)
class Subscriber:
    """One open stream: the user it belongs to and the merchants whose news it may hear."""

    user_id: int
    merchant_ids: frozenset[int]
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False

    def may_hear(self, message: dict) -> bool:
        if message.get("user_id") is not None and message["user_id"] != self.user_id:
            return False
        return message.get("merchant_id") in self.merchant_ids or (
            message.get("merchant_id") is None and message.get("user_id") == self.user_id
        )

    def offer(self, message: dict, encoded: str) -> None:
        if self.overflowed or not self.may_hear(message):
            return
        try:
            self.queue.put_nowait(encoded)
        except asyncio.QueueFull:
            # A stalled tab: drop what is queued and tell it to re-read the page instead.
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RESET_SSE)


class Hub:
    """Per-process fan-out. Started lazily by the first stream, on that stream's event loop."""

    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def subscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.add(subscriber)
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            self._task = loop.create_task(self._listen(), name="live-events-listener")

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def dispatch(self, message: dict) -> None:
        encoded = sse(message)  # once, whatever the number of streams
        for subscriber in list(self.subscribers):
            subscriber.offer(message, encoded)

    async def _listen(self) -> None:
        while True:
            try:
                if settings.REDIS_URL:
                    await self._listen_redis()
                else:
                    await self._tail_table()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep listening; streams resume by id
                logger.warning("live event listener failed; retrying", exc_info=True)
                await asyncio.sleep(1)

    async def _listen_redis(self) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(settings.REDIS_URL)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(events.channel())
                async for item in pubsub.listen():
                    if item.get("type") == "message":
                        self.dispatch(json.loads(item["data"]))
        finally:
            await client.aclose()

    async def _tail_table(self) -> None:
        cursor = await sync_to_async(_latest_id, thread_sensitive=False)()
        while True:
            await asyncio.sleep(TAIL_INTERVAL_SECONDS)
            if not self.subscribers:
                continue
            rows = await sync_to_async(_after, thread_sensitive=False)(cursor, BACKLOG_LIMIT)
            for message in rows:
                cursor = max(cursor, message["id"])
                self.dispatch(message)


hub = Hub()


def _latest_id() -> int:
    from console.models import LiveEvent

    return LiveEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _after(last_id: int, limit: int) -> list[dict]:
    from console.models import LiveEvent

    return [e.message() for e in LiveEvent.objects.filter(pk__gt=last_id).order_by("pk")[:limit]]


def backlog(
    *, merchant_ids: Iterable[int], user_id: int, last_id: int | None, since: datetime | None
) -> list[dict] | None:
    """What a stream missed: events after `last_id` (or since the page was rendered) that this
    subscriber may hear. None when it is more than the resume log can say: re-read everything."""
    from django.db.models import Q

    from console.models import LiveEvent

    if last_id is None and since is None:
        return []
    rows = LiveEvent.objects.filter(
        Q(merchant_id__in=list(merchant_ids), user_id__isnull=True) | Q(user_id=user_id)
    )
    if last_id is not None:
        oldest = LiveEvent.objects.order_by("pk").values_list("pk", flat=True).first()
        if oldest is not None and last_id < oldest - 1:
            return None
        rows = rows.filter(pk__gt=last_id)
    else:
        rows = rows.filter(created_at__gte=since)
    found = [e.message() for e in rows.order_by("pk")[: BACKLOG_LIMIT + 1]]
    return None if len(found) > BACKLOG_LIMIT else found
