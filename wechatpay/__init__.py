"""Framework-free client for WeChat Pay APIv3 consumer complaints. See README.md."""

from wechatpay.calls import CallInfo
from wechatpay.client import Client
from wechatpay.credentials import MerchantCredentials, Signer
from wechatpay.errors import (
    ApiError,
    InvalidArgumentError,
    MalformedNotificationError,
    MissingHeadersError,
    NotificationDecryptError,
    NotificationError,
    PayerPhoneDecryptError,
    PaymentApiError,
    SignatureError,
    StaleTimestampError,
    TransportError,
    UnknownSerialError,
    VerificationError,
    WechatPayError,
)
from wechatpay.models import (
    Complaint,
    DownloadedImage,
    HistoryEntry,
    NotificationEvent,
    NotificationUrl,
    UploadedImage,
)
from wechatpay.models_payments import (
    Order,
    OrderAmount,
    Refund,
    RefundAmount,
    RefundNotification,
    RefundNotificationAmount,
)
from wechatpay.notifications import parse_notification
from wechatpay.phone import decrypt_payer_phone
from wechatpay.refund_notifications import parse_refund_notification
from wechatpay.verifier import Verifier, header_lookup

__all__ = [
    "ApiError",
    "CallInfo",
    "Client",
    "Complaint",
    "DownloadedImage",
    "HistoryEntry",
    "InvalidArgumentError",
    "MalformedNotificationError",
    "MerchantCredentials",
    "MissingHeadersError",
    "NotificationDecryptError",
    "NotificationError",
    "NotificationEvent",
    "NotificationUrl",
    "Order",
    "OrderAmount",
    "PayerPhoneDecryptError",
    "PaymentApiError",
    "Refund",
    "RefundAmount",
    "RefundNotification",
    "RefundNotificationAmount",
    "SignatureError",
    "Signer",
    "StaleTimestampError",
    "TransportError",
    "UnknownSerialError",
    "UploadedImage",
    "VerificationError",
    "Verifier",
    "header_lookup",
    "WechatPayError",
    "decrypt_payer_phone",
    "parse_notification",
    "parse_refund_notification",
]
