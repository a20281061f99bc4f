from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from complaints.search import search_source_register
        from messaging.selectors.search import reply_texts

        search_source_register(reply_texts)
