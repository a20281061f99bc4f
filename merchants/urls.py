from django.urls import path

from merchants import views

app_name = "merchants"

urlpatterns = [
    path("", views.merchant_list, name="list"),
    path("new/", views.merchant_create, name="create"),
    path("<int:pk>/", views.merchant_detail, name="detail"),
    path("<int:pk>/edit/", views.merchant_edit, name="edit"),
    path("<int:pk>/credentials/new/", views.credential_add, name="credential_add"),
    path(
        "<int:pk>/credentials/<int:credential_id>/activate/",
        views.credential_activate,
        name="credential_activate",
    ),
    path(
        "<int:pk>/credentials/<int:credential_id>/retire/",
        views.credential_retire,
        name="credential_retire",
    ),
    path("<int:pk>/test-connection/", views.test_connection, name="test_connection"),
    path("<int:pk>/notification-url/", views.callback, name="callback"),
    path("<int:pk>/assignments/", views.assignment_add, name="assignment_add"),
    path(
        "<int:pk>/assignments/<int:user_id>/remove/",
        views.assignment_remove,
        name="assignment_remove",
    ),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/password/", views.user_password_reset, name="user_password_reset"),
    path("users/<int:user_id>/active/", views.user_active, name="user_active"),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
]
