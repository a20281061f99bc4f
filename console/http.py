"""What views read from a request for the services they call (services take data, not requests)."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the audit log records it."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
