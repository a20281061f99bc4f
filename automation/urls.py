from django.urls import path

from automation import views

app_name = "automation"

urlpatterns = [
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/<int:merchant_pk>/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/switch/", views.rule_switch, name="rule_switch"),
    path("rules/<int:pk>/dry-run/", views.rule_dry_run, name="rule_dry_run"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/open/", views.alert_open, name="alert_open"),
    path("alerts/read/", views.alerts_read, name="alerts_read"),
    path("supervisor/", views.supervisor, name="supervisor"),
]
