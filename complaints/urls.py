from django.urls import path

from complaints.views import actions, detail, queue, stream

app_name = "complaints"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("stream/", stream.stream, name="stream"),
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/timeline/", detail.timeline, name="timeline"),
    path("<int:pk>/presence/", detail.presence, name="presence"),
    path("<int:pk>/notes/", detail.note, name="note"),
    path("<int:pk>/reveal-phone/", detail.reveal_phone, name="reveal_phone"),
    path("<int:pk>/images/", detail.images, name="images"),
    path("<int:pk>/images/<int:image_pk>/", detail.image, name="image"),
    path("<int:pk>/images/<int:image_pk>/fetch/", detail.image_fetch, name="image_fetch"),
    path("<int:pk>/claim/", actions.claim, name="claim"),
    path("<int:pk>/release/", actions.release, name="release"),
    path("<int:pk>/assign/", actions.assign, name="assign"),
    path("<int:pk>/complete/", actions.complete, name="complete"),
    path("<int:pk>/refund/", actions.refund, name="refund"),
]
