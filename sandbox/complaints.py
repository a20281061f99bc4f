"""Complaint state: creation, the user's side of the conversation, and how it reads over the API.

Media URLs are stored as paths and given a host when read, so they point at whatever address the
client used to reach the sandbox.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import TYPE_CHECKING, Any

from sandbox import payments, seed
from sandbox.web import ApiError
from wechatpay import crypto

if TYPE_CHECKING:
    from sandbox.state import State
    from sandbox.store import Merchant

CHINA = dt.timezone(dt.timedelta(hours=8))
IMAGE_PATH = "/v3/merchant-service/images/"
COMPLAINT_FIELDS = {
    "complaint_time", "complaint_detail", "complaint_state", "payer_openid",
    "complaint_order_info", "service_order_info", "complaint_media_list",
    "complaint_full_refunded", "incoming_user_response", "problem_description",
    "user_complaint_times", "problem_type", "apply_refund_amount", "user_tag_list",
    "additional_info", "in_platform_service", "need_immediate_service", "is_agent_mode",
}  # fmt: skip
LISTS_OF_OBJECTS = {"complaint_order_info", "service_order_info", "complaint_media_list"}


def now_text(millis: bool = False) -> str:
    return dt.datetime.now(CHINA).isoformat(timespec="milliseconds" if millis else "seconds")


def new_complaint_id() -> str:
    return (
        "2002018" + dt.datetime.now(CHINA).strftime("%Y%m%d") + f"{secrets.randbelow(10**12):012d}"
    )


def new_log_id() -> str:
    return (
        "3002853"
        + dt.datetime.now(CHINA).strftime("%Y%m%d%H")
        + f"{secrets.randbelow(10**10):010d}"
    )


def history_entry(operator: str, operate_type: str, details: str = "", **extra: Any) -> dict:
    entry = {
        "log_id": new_log_id(),
        "operator": operator,
        "operate_time": now_text(),
        "operate_type": operate_type,
        "operate_details": details,
        "image_list": [],
    }
    entry.update(extra)
    return entry


def _store_demo_images(app: State, mchid: str, count: int) -> list[str]:
    paths = []
    for _ in range(count):
        media_id = seed.complaint_media_id()
        app.store.media_put(media_id, mchid, "complaint", "image/png", seed.png())
        paths.append(IMAGE_PATH + media_id)
    return paths


def build_complaint(
    app: State, mchid: str, need_immediate_service: bool, problem_type: str | None
) -> tuple[dict[str, Any], str]:
    title, detail, kind, amount = seed.pick_template(problem_type)
    complaint: dict[str, Any] = {
        "complaint_id": new_complaint_id(),
        "complaint_time": now_text(millis=True),
        "complaint_detail": detail,
        "complaint_state": "PENDING",
        "complainted_mchid": mchid,
        "payer_openid": seed.openid(),
        "complaint_order_info": [
            {
                "transaction_id": seed.transaction_id(),
                "out_trade_no": seed.out_trade_no(),
                "amount": amount,
            }
        ],  # fmt: skip
        "complaint_media_list": [
            {"media_type": "USER_COMPLAINT_IMAGE", "media_url": _store_demo_images(app, mchid, 2)}
        ],
        "complaint_full_refunded": False,
        "incoming_user_response": False,
        "problem_description": title,
        "user_complaint_times": 1,
        "problem_type": kind,
        "user_tag_list": random.choice([[], ["TRUSTED"], ["HIGH_RISK"]]),
        "in_platform_service": False,
        "need_immediate_service": need_immediate_service,
        "is_agent_mode": False,
    }
    if kind == "REFUND":
        complaint["apply_refund_amount"] = amount
    return complaint, seed.phone_number()


def create_complaints(
    app: State,
    *,
    mchid: str,
    count: int,
    need_immediate_service: bool,
    problem_type: str | None,
    overrides: dict[str, Any],
) -> list[str]:
    unknown = set(overrides) - COMPLAINT_FIELDS - {"payer_phone"}
    if unknown:
        raise ApiError(400, "PARAM_ERROR", f"unknown complaint fields: {sorted(unknown)}")
    if "complaint_time" in overrides:
        try:
            if dt.datetime.fromisoformat(overrides["complaint_time"]).tzinfo is None:
                raise ValueError("no offset")
        except (TypeError, ValueError) as exc:
            raise ApiError(
                400, "PARAM_ERROR", "complaint_time must be RFC3339 with an offset"
            ) from exc
    for name in LISTS_OF_OBJECTS & set(overrides):
        value = overrides[name]
        if not (isinstance(value, list) and all(isinstance(item, dict) for item in value)):
            raise ApiError(400, "PARAM_ERROR", f"{name} must be a list of objects")
    ids = []
    for _ in range(count):
        complaint, phone = build_complaint(app, mchid, need_immediate_service, problem_type)
        phone = overrides.get("payer_phone", phone)
        complaint.update({k: v for k, v in overrides.items() if k != "payer_phone"})
        media = complaint["complaint_media_list"][:1]
        with app.store.transaction() as db:
            app.store.complaint_insert(db, complaint, phone, {"refund_decision": None})
            payments.orders_for_complaint(db, complaint)  # every complaint's order exists, paid
            app.store.history_append(
                db,
                complaint["complaint_id"],
                history_entry(
                    "投诉人",
                    "USER_CREATE_COMPLAINT",
                    complaint["complaint_detail"],
                    **({"complaint_media_list": media[0]} if media else {}),
                ),
            )
            app.notifier.enqueue(db, mchid, complaint["complaint_id"], "CREATE_COMPLAINT")
        ids.append(complaint["complaint_id"])
    return ids


def _with_host(value: Any, base_url: str) -> Any:
    """Prefix stored media paths with the address the client used."""
    if isinstance(value, str) and value.startswith("/"):
        return base_url + value
    if isinstance(value, list):
        return [_with_host(item, base_url) for item in value]
    if isinstance(value, dict):
        return {
            k: _with_host(v, base_url) if k in ("media_url", "image_list") else v
            for k, v in value.items()
        }
    return value


def present_complaint(
    complaint: dict[str, Any], phone: str, merchant: Merchant, serial: str, base_url: str,
    *, detail: bool,
) -> dict[str, Any]:  # fmt: skip
    """The complaint as the API returns it: phone encrypted for the caller's certificate."""
    shown = dict(complaint)
    shown["payer_phone"] = crypto.oaep_encrypt(merchant.keys[serial], phone)
    shown["complaint_media_list"] = [
        _with_host(item, base_url) for item in complaint.get("complaint_media_list", [])
    ]
    if not detail:
        shown.pop("payer_openid", None)
    return shown


def present_history(entry: dict[str, Any], base_url: str) -> dict[str, Any]:
    shown = dict(entry)
    shown["image_list"] = _with_host(entry.get("image_list", []), base_url)
    if "complaint_media_list" in entry:
        shown["complaint_media_list"] = _with_host(entry["complaint_media_list"], base_url)
    return shown
