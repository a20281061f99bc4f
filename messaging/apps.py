from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        # Complaints imports no app above it: messaging tells it where replies come from.
        from complaints.ports import ReplySide, reply_side_register
        from complaints.search import search_source_register
        from messaging.selectors import timeline
        from messaging.selectors.search import reply_texts
        from messaging.services.replies import reply_submit

        search_source_register(reply_texts)
        reply_side_register(
            ReplySide(
                submit=reply_submit,
                timeline=timeline.timeline_replies,
                automatic_open=timeline.automatic_open,
                automatic_log_ids=timeline.automatic_log_ids,
                human_delivered_times=timeline.human_delivered_times,
            )
        )
