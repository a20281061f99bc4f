"""How a person is named on screen and in exports: their full name, else their login."""

from __future__ import annotations

from typing import Any


def person_name(user: Any) -> str:
    """`演示客服`, not `agent`; the login only when no name was given; "" for nobody."""
    if user is None:
        return ""
    full = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", "") or str(user)
