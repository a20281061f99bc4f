from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "automation"
    verbose_name = _("Automation and alerts")

    def ready(self) -> None:
        # Complaints' hooks call up into automation; complaints itself never imports it.
        from automation.services import alerts_on_handled, complaint_arrived
        from complaints.services import hooks_subscribe

        hooks_subscribe(ingested=complaint_arrived, handled=alerts_on_handled)
        # Refunds above an agent's limits alert supervisors; refunds itself never imports us.
        from automation.services.refund_alerts import alerts_refund_decided, alerts_refund_waiting
        from refunds.hooks import refund_hooks_subscribe

        refund_hooks_subscribe(awaiting=alerts_refund_waiting, decided=alerts_refund_decided)
