"""Failed logins go to the audit log (Django only reports them through this signal); a
sign-in starts the session's clocks (console/sessions.py)."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from console.services import audit_record
from console.sessions import session_stamp


@receiver(user_logged_in)
def _start_session_clocks(sender, request=None, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_stamp(request)


@receiver(user_login_failed)
def _record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        action="login.failed",
        request=request,
        target_type="user",
        target_id=str(credentials.get("username", ""))[:128],
    )
