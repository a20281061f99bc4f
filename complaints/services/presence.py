"""Presence: who else is viewing or composing on a complaint. Soft state in the cache with a
short TTL (Redis in production), never a lock: losing it loses nothing."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from functools import wraps

from django.core.cache import cache

from console import events

logger = logging.getLogger(__name__)

TTL_SECONDS = 30  # an open page's live stream renews it every 10 s
MODES = ("viewing", "composing")


def _soft(default):
    """Presence is a nicety: when the cache is down, pages still render, without it."""

    def decorate(function):
        @wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - any cache failure
                logger.warning("presence unavailable: %s", type(exc).__name__)
                return default() if callable(default) else default

        return wrapper

    return decorate


def _key(complaint_pk: int) -> str:
    return f"presence:complaint:{complaint_pk}"


@_soft(None)
def presence_touch(
    *, complaint_pk: int, user, mode: str | None = "viewing", merchant_id: int | None = None
) -> None:
    """Record that `user` is on this complaint now (`mode=None` keeps the mode they had).
    Read-modify-write without a lock: two touches racing may drop one entry until the next
    renewal, which is fine for presence. Others hear of it only when something they see changed."""
    now = time.time()
    entries = _fresh(cache.get(_key(complaint_pk)) or {}, now)
    before = entries.get(str(user.pk))
    if mode not in MODES:
        mode = before["mode"] if before else "viewing"
    entries[str(user.pk)] = {
        "name": user.get_full_name() or user.get_username(),
        "mode": mode,
        "at": now,
    }
    cache.set(_key(complaint_pk), entries, timeout=TTL_SECONDS)
    if before is None or before["mode"] != mode:
        _announce(complaint_pk, merchant_id)


@_soft(None)
def presence_leave(*, complaint_pk: int, user, merchant_id: int | None = None) -> None:
    entries = cache.get(_key(complaint_pk)) or {}
    if entries.pop(str(user.pk), None) is not None:
        cache.set(_key(complaint_pk), entries, timeout=TTL_SECONDS)
        _announce(complaint_pk, merchant_id)


def _announce(complaint_pk: int, merchant_id: int | None) -> None:
    if merchant_id is not None:
        events.announce(events.PRESENCE_CHANGED, merchant_id=merchant_id, complaint_id=complaint_pk)


def _fresh(entries: dict, now: float) -> dict:
    return {uid: e for uid, e in entries.items() if now - e.get("at", 0) < TTL_SECONDS}


def present_on(complaint_pk: int, *, exclude_user=None) -> list[dict]:
    return present_on_many([complaint_pk], exclude_user=exclude_user).get(complaint_pk, [])


@_soft(dict)
def present_on_many(complaint_pks: Iterable[int], *, exclude_user=None) -> dict[int, list[dict]]:
    """Everyone present on each complaint, in one cache round trip (queue rows)."""
    pks = list(complaint_pks)
    if not pks:
        return {}
    found = cache.get_many([_key(pk) for pk in pks])
    now = time.time()
    skip = str(exclude_user.pk) if exclude_user is not None else None
    result: dict[int, list[dict]] = {}
    for pk in pks:
        entries = _fresh(found.get(_key(pk)) or {}, now)
        people = [
            {"user_id": int(uid), "name": e["name"], "mode": e["mode"]}
            for uid, e in sorted(entries.items(), key=lambda item: item[1]["name"])
            if uid != skip
        ]
        if people:
            result[pk] = people
    return result
