from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RefundsConfig(AppConfig):
    name = "refunds"
    verbose_name = _("Refunds")

    def ready(self) -> None:
        # The pages of the apps below show refunds through panels (console/panels.py): they
        # never import this app.
        from complaints.ports import refund_approval_register
        from refunds.panels import register_panels

        register_panels()
        # A refund request with an order is approved by "Approve and refund" (the panel).
        refund_approval_register(lambda complaint: bool(complaint.transaction_id))
