"""Failed logins go to the audit log (Django only reports them through this signal); a
sign-in starts the session's clocks (console/sessions.py)."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from console import lockout
from console.http import client_ip
from console.services import audit_record
from console.sessions import session_stamp


@receiver(user_logged_in)
def _start_session_clocks(sender, request=None, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_stamp(request)


@receiver(user_login_failed)
def _record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:128]
    audit_record(
        action=lockout.FAILED, ip=client_ip(request), target_type="user", target_id=username
    )
    if username and lockout.username_failures(username) == settings.LOGIN_USERNAME_FAILURE_LIMIT:
        audit_record(
            action=lockout.LOCKED,
            ip=client_ip(request),
            target_type="user",
            target_id=username,
            changes={"failures": settings.LOGIN_USERNAME_FAILURE_LIMIT, "scope": "username"},
        )
