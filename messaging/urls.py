from django.urls import path

from messaging.views import composer, history, images, kpis, templates

app_name = "messaging"

urlpatterns: list = [
    # --- the composer (drafts, templates, images): composer engineer -----------------------
    path("complaints/<int:pk>/composer/", composer.composer, name="composer"),
    path("complaints/<int:pk>/compose/", composer.composer_page, name="composer_page"),
    path("complaints/<int:pk>/draft/", composer.draft_save, name="draft_save"),
    path("complaints/<int:pk>/draft/discard/", composer.draft_discard, name="draft_discard"),
    path("complaints/<int:pk>/preview/", composer.composer_preview, name="composer_preview"),
    path("complaints/<int:pk>/confirm/", composer.composer_confirm, name="composer_confirm"),
    path("complaints/<int:pk>/send/", composer.composer_send, name="composer_send"),
    path(
        "complaints/<int:pk>/templates/<int:template_pk>/",
        composer.template_insert,
        name="template_insert",
    ),
    path("merchants/<int:merchant_pk>/images/", images.image_library, name="image_library"),
    path("merchants/<int:merchant_pk>/images/upload/", images.image_upload, name="image_upload"),
    path("images/<int:pk>/", images.image_file, name="image_file"),
    path("images/<int:pk>/retry/", images.image_retry, name="image_retry"),
    path("images/<int:pk>/status/", images.image_status, name="image_status"),
    path("images/media/", images.image_media, name="image_media"),
    path("templates/", templates.template_list, name="templates"),
    path("templates/new/<int:merchant_pk>/", templates.template_create, name="template_create"),
    path("templates/<int:pk>/", templates.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", templates.template_delete, name="template_delete"),
    path("templates/preview/", templates.template_preview, name="template_preview"),
    # --- end of the composer's urls --------------------------------------------------------
    # --- reply delivery, history and KPIs: delivery engineer --------------------------------
    path("history/", history.history, name="history"),
    path("history/export.csv", history.history_csv, name="history_csv"),
    path("history/export.xlsx", history.history_xlsx, name="history_xlsx"),
    path("replies/<int:pk>/status/", history.reply_status, name="reply_status"),
    path("replies/<int:pk>/resend/", history.reply_resend_view, name="reply_resend"),
    path("kpis/", kpis.kpis, name="kpis"),
    # --- end of the delivery engineer's urls -------------------------------------------------
]
