from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RefundsConfig(AppConfig):
    name = "refunds"
    verbose_name = _("Refunds")

    def ready(self) -> None:
        # The pages of the apps below show refunds through panels (console/panels.py): they
        # never import this app.
        from refunds.panels import register_panels

        register_panels()
