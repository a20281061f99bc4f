"""Session lifetime: an absolute age from sign-in and an idle timeout (README "Security").

Django's SESSION_COOKIE_AGE alone moves with every session save, so it is neither: the
middleware below keeps the sign-in time and the last activity in the session and ends it when
either limit has passed. Any request of the signed-in browser counts as activity (an open
console tab's polling too); the last-activity stamp is written at most once a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

SIGNED_IN_AT = "console_signed_in_at"
ACTIVE_AT = "console_active_at"
ACTIVITY_WRITE_EVERY = 60  # seconds: how stale the activity stamp may get before it is saved


def session_stamp(request: HttpRequest) -> None:
    """Start both clocks (at sign-in)."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[ACTIVE_AT] = now
    request.session.set_expiry(idle_seconds())


def max_age_seconds() -> int:
    return 60 * settings.SESSION_MAX_AGE_MINUTES


def idle_seconds() -> int:
    return 60 * settings.SESSION_IDLE_MINUTES


def session_expired(request: HttpRequest, now: float) -> bool:
    return session_data_expired(request.session, now)


def session_data_expired(data, now: float) -> bool:
    """Whether a session's stored data says it is past either limit (or predates them)."""
    signed_in_at = data.get(SIGNED_IN_AT)
    active_at = data.get(ACTIVE_AT, signed_in_at)
    if signed_in_at is None or active_at is None:
        return True  # a session from before these limits: sign in again
    return now - signed_in_at >= max_age_seconds() or now - active_at >= idle_seconds()


class SessionLimitsMiddleware:
    """Ends a session past its absolute age or idle timeout; the next page asks to sign in.

    An htmx request sent to the login page is answered with HX-Redirect instead, so the whole
    page goes to the login form rather than the form being swapped into a fragment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            if session_expired(request, now):
                logout(request)
            elif now - request.session.get(ACTIVE_AT, 0) >= ACTIVITY_WRITE_EVERY:
                request.session[ACTIVE_AT] = now
                request.session.set_expiry(idle_seconds())
        response = self.get_response(request)
        if getattr(request, "htmx", False) and _to_login(response):
            current = request.htmx.current_url_abs_path or "/"
            return HttpResponseClientRedirect(redirect_to_login(current).url)
        return response


def _to_login(response: HttpResponse) -> bool:
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code == 302 and response.get("Location", "").startswith(login + "?")
