"""State changes and credential access for merchants. Other apps import from here only."""

from merchants.services.clients import (
    NoActiveCredentials,
    build_verifier,
    decrypt_payer_phone,
    merchant_apiv3_key,
    merchant_apiv3_keys,
    merchant_record_success,
    merchant_verifier,
    wechatpay_client,
)
from merchants.services.connection import (
    CallResult,
    callback_delete,
    callback_query,
    callback_register,
    merchant_test_connection,
    notification_url,
)
from merchants.services.credentials import (
    CredentialStateError,
    credential_activate,
    credential_add,
    credential_fingerprint,
    credential_retire,
)
from merchants.services.merchants import (
    CannotDeactivateSelf,
    assignment_add,
    assignment_remove,
    merchant_create,
    merchant_update,
    user_create,
    user_password_reset,
    user_roles_set,
    user_set_active,
)

__all__ = [
    "CallResult",
    "CredentialStateError",
    "CannotDeactivateSelf",
    "NoActiveCredentials",
    "assignment_add",
    "assignment_remove",
    "build_verifier",
    "callback_delete",
    "callback_query",
    "callback_register",
    "credential_activate",
    "credential_add",
    "credential_fingerprint",
    "credential_retire",
    "decrypt_payer_phone",
    "merchant_apiv3_key",
    "merchant_apiv3_keys",
    "merchant_create",
    "merchant_record_success",
    "merchant_test_connection",
    "merchant_update",
    "merchant_verifier",
    "notification_url",
    "user_create",
    "user_password_reset",
    "user_roles_set",
    "user_set_active",
    "wechatpay_client",
]
