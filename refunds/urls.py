from django.urls import path

from refunds.views import approvals, complaint, history

app_name = "refunds"

urlpatterns = [
    path("complaints/<int:pk>/panel/", complaint.panel, name="panel"),
    path("complaints/<int:pk>/order/refresh/", complaint.order_refresh, name="order_refresh"),
    path("complaints/<int:pk>/refund/", complaint.refund_create, name="refund_create"),
    path("approvals/", approvals.approvals, name="approvals"),
    path("<int:pk>/approve/", approvals.approve, name="approve"),
    path("<int:pk>/decline/", approvals.decline, name="decline"),
    path("limits/", approvals.limits, name="limits"),
    path("limits/<int:merchant_pk>/", approvals.limits_save, name="limits_save"),
    path("history/", history.history, name="history"),
    path("history/export.csv", history.history_csv, name="history_csv"),
    path("history/panel/", history.history_link, name="history_link"),
    path("kpis/panel/", history.kpis_panel, name="kpis_panel"),
]
