"""POST /webhooks/wechatpay/<mchid>/refunds: WeChat Pay's refund notifications (spec §6), beside
the complaint webhook and made by the same view factory, so with its rules."""

from __future__ import annotations

from complaints.views.webhook import notification_webhook
from refunds.services import refund_notification_parse, refund_notification_record

webhook = notification_webhook(
    kind="refund notification",
    parse=refund_notification_parse,
    record=refund_notification_record,
    describe=lambda event: (event.out_refund_no, event.refund_status),
    done="applied",
)
