"""Failed logins go to the audit log (Django only reports them through this signal)."""

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from console.services import audit_record


@receiver(user_login_failed)
def _record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        action="login.failed",
        request=request,
        target_type="user",
        target_id=str(credentials.get("username", ""))[:128],
    )
