from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = _("Console")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from console import (
            checks,  # noqa: F401  (system checks: a kombu release never checked)
            signals,  # noqa: F401  (records failed logins in the audit log)
        )
        from console.services import roles_sync

        post_migrate.connect(roles_sync, sender=self, dispatch_uid="console.roles_sync")
