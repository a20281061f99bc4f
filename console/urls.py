from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from console import views

console_patterns = (
    [path("audit/", views.audit_log, name="audit")],
    "console",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("console/", include(console_patterns)),
    path("merchants/", include("merchants.urls")),
    path("complaints/", include("complaints.urls")),
    path("messaging/", include("messaging.urls")),
    path("automation/", include("automation.urls")),
    path("refunds/", include("refunds.urls")),
    path("webhooks/wechatpay/", include("complaints.webhook_urls")),
    path("webhooks/wechatpay/", include("refunds.webhook_urls")),
    path("admin/", admin.site.urls),
]
