"""The WeChat Pay refund notification endpoint, beside the complaint one (console/urls.py)."""

from django.urls import path

from refunds.views.webhook import webhook

urlpatterns = [
    path("<str:mchid>/refunds", webhook, name="wechatpay_refunds_webhook"),
]
