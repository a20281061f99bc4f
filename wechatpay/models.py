"""Typed request results. Lenient by design: WeChat Pay adds fields and enum values at any time
(§7.5), so every model keeps unknown fields and every enum-like field is a plain `str`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _null_means_absent(cls, data: Any) -> Any:
        # APIv3 forbids null, but a stray null must not crash a page of complaints: treat it as
        # an absent field, so the default applies (required fields still fail loudly).
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


class ComplaintOrderInfo(_Model):
    transaction_id: str = ""
    out_trade_no: str = ""
    amount: int | None = None


class ServiceOrderInfo(_Model):
    order_id: str = ""
    out_order_no: str = ""
    state: str = ""


class ComplaintMedia(_Model):
    media_type: str = ""
    media_url: list[str] = Field(default_factory=list)


class Complaint(_Model):
    """One complaint, as returned by the list and the detail endpoints (§3.1)."""

    complaint_id: str
    complaint_time: str = ""
    complaint_detail: str = ""
    complaint_state: str = ""
    complainted_mchid: str = ""
    payer_phone: str | None = None  # RSA-OAEP ciphertext: decrypt_payer_phone() when shown
    payer_openid: str | None = None  # detail only
    complaint_order_info: list[ComplaintOrderInfo] = Field(default_factory=list)
    service_order_info: list[ServiceOrderInfo] = Field(default_factory=list)
    complaint_media_list: list[ComplaintMedia] = Field(default_factory=list)
    complaint_full_refunded: bool = False
    incoming_user_response: bool = False
    problem_description: str = ""
    user_complaint_times: int = 1
    problem_type: str | None = None
    apply_refund_amount: int | None = None
    user_tag_list: list[str] = Field(default_factory=list)
    additional_info: dict[str, Any] | None = None
    in_platform_service: bool = False
    need_immediate_service: bool = False
    is_agent_mode: bool = False


class HistoryEntry(_Model):
    """One negotiation-history entry (§3.3). Note `complaint_media_list` is an object here."""

    log_id: str
    operator: str = ""
    operate_time: str = ""
    operate_type: str = ""
    operate_details: str | None = None
    image_list: list[str] = Field(default_factory=list)
    complaint_media_list: ComplaintMedia | None = None
    user_appy_platform_service_reason: str | None = None
    user_appy_platform_service_reason_description: str | None = None
    normal_message: dict[str, Any] | None = None
    click_message: dict[str, Any] | None = None


class NotificationUrl(_Model):
    mchid: str
    url: str


class PlatformCertificate(_Model):
    serial_no: str
    effective_time: str = ""
    expire_time: str = ""


@dataclass(frozen=True)
class UploadedImage:
    media_id: str
    sha256: str


@dataclass(frozen=True)
class DownloadedImage:
    content: bytes
    content_type: str


@dataclass(frozen=True)
class NotificationEvent:
    """A verified, decrypted complaint notification (§4). Re-query the complaint by id."""

    id: str
    create_time: str
    event_type: str
    resource_type: str
    summary: str
    complaint_id: str
    action_type: str
    raw_resource: dict[str, Any]
