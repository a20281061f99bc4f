"""The WeChat Pay notification endpoint (outside the console's namespaced pages)."""

from django.urls import path

from complaints.views.webhook import webhook

urlpatterns = [
    path("<str:mchid>/complaints", webhook, name="wechatpay_complaints_webhook"),
]
