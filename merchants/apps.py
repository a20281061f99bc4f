from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = _("Merchants")

    def ready(self) -> None:
        from console.audit_labels import value_labels_register
        from merchants.models import Merchant

        value_labels_register("kind", dict(Merchant.Kind.choices))
