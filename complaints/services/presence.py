"""Presence: who else is viewing or composing on a complaint. Soft state in the cache with a
short TTL (Redis in production), never a lock on data: losing it loses nothing.

Each open complaint page has an id of its own (rendered into it, carried by its live stream and
its mode posts). A person is present while any of their pages is open: its stream renews it, and
the stream's end closes it. A renewal or a mode post still in flight when the agent leaves cannot
bring them back (they once stayed "replying" on colleagues' screens after leaving); a new stream
of the same page (a reconnect, the back button) can. Every change is a locked read-modify-write."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.core.cache import cache

from console import events

logger = logging.getLogger(__name__)

TTL_SECONDS = 30  # an open page's live stream renews it every 10 s
MODES = ("viewing", "composing")
LOCK_SECONDS = 2  # longest a read-modify-write may hold the complaint's presence
LOCK_WAIT_SECONDS = 1.0
PAGE_ID = re.compile(r"^[0-9a-f]{32}$")


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


def presence_page_id(value: str | None = None) -> str:
    """A page's presence id: `value` when it is one, else a new one."""
    return value if value and PAGE_ID.match(value) else uuid.uuid4().hex


def _key(complaint_pk: int) -> str:
    return f"presence:complaint:{complaint_pk}"


@contextmanager
def _locked(complaint_pk: int) -> Iterator[None]:
    """Serialise read-modify-writes of one complaint's presence (cache.add is atomic in Redis).
    Waits briefly; a stuck lock expires by itself."""
    lock = f"{_key(complaint_pk)}:lock"
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not (held := cache.add(lock, 1, timeout=LOCK_SECONDS)):
        if time.monotonic() > deadline:
            break  # soft state: go on rather than stall a page
        time.sleep(0.005)
    try:
        yield
    finally:
        if held:
            cache.delete(lock)


def _load(complaint_pk: int, now: float) -> dict:
    state = cache.get(_key(complaint_pk))
    if not isinstance(state, dict) or "pages" not in state:
        state = {"pages": {}, "closed": {}}
    state["closed"] = {t: at for t, at in state["closed"].items() if now - at < TTL_SECONDS}
    state["pages"] = {p: r for p, r in state["pages"].items() if now - r["at"] < TTL_SECONDS}
    return state


def _people(pages: dict, now: float, skip: str | None = None) -> dict[str, dict]:
    """Who is present (an open, fresh page): user id -> name and mode (composing on any page
    wins)."""
    people: dict[str, dict] = {}
    for page in pages.values():
        if page["gone"] or now - page["at"] >= TTL_SECONDS or page["uid"] == skip:
            continue
        person = people.setdefault(page["uid"], {"name": page["name"], "mode": "viewing"})
        if page["mode"] == "composing":
            person["mode"] = "composing"
    return people


def _save(complaint_pk: int, state: dict, now: float) -> bool:
    """Store the state; whether what others see differs from what they were last told (a page
    that expired unrenewed, its process gone, counts too: the next touch tells of it)."""
    shown = {uid: person["mode"] for uid, person in _people(state["pages"], now).items()}
    changed = shown != state.get("shown", {})
    state["shown"] = shown
    cache.set(_key(complaint_pk), state, timeout=TTL_SECONDS)
    return changed


@_soft(None)
def presence_touch(
    *,
    complaint_pk: int,
    user,
    page: str,
    mode: str | None = None,
    stream: str | None = None,
    merchant_id: int | None = None,
) -> None:
    """Record that `user` has `page` open on this complaint now.

    With `stream` (the page's live stream renewing it): the page is open, in the mode it had,
    unless that stream has already ended. Without (the page rendering, or saying its mode):
    the mode is kept, but a page whose stream ended is not revived by it."""
    now = time.time()
    with _locked(complaint_pk):
        state = _load(complaint_pk, now)
        if stream is not None and stream in state["closed"]:
            return
        record = state["pages"].get(page)
        if record is None:
            record = state["pages"][page] = {"uid": str(user.pk), "mode": "viewing", "gone": False}
        elif record["uid"] != str(user.pk):
            return  # another person's page id: not theirs to change
        record["name"] = user.get_full_name() or user.get_username()
        if mode in MODES:
            record["mode"] = mode
        if stream is not None:
            record["gone"] = False
        record["at"] = now
        changed = _save(complaint_pk, state, now)
    if changed:
        _announce(complaint_pk, merchant_id)


@_soft(None)
def presence_leave(
    *, complaint_pk: int, user, page: str, stream: str, merchant_id: int | None = None
) -> None:
    """The page's live stream ended: the page is gone until a new stream of it opens (its mode
    is remembered for that), and no late renewal of this stream revives it."""
    now = time.time()
    with _locked(complaint_pk):
        state = _load(complaint_pk, now)
        state["closed"][stream] = now
        record = state["pages"].get(page)
        if record is not None and record["uid"] == str(user.pk):
            record.update(gone=True, at=now)
        changed = _save(complaint_pk, state, now)
    if changed:
        _announce(complaint_pk, merchant_id)


def _announce(complaint_pk: int, merchant_id: int | None) -> None:
    if merchant_id is not None:
        events.announce(events.PRESENCE_CHANGED, merchant_id=merchant_id, complaint_id=complaint_pk)


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
        state = found.get(_key(pk))
        if not isinstance(state, dict) or "pages" not in state:
            continue
        people = _people(state["pages"], now, skip)
        if people:
            result[pk] = [
                {"user_id": int(uid), "name": p["name"], "mode": p["mode"]}
                for uid, p in sorted(people.items(), key=lambda item: item[1]["name"])
            ]
    return result
