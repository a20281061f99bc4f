"""The WeChat Pay surface: routing and the request pipeline of spec §9, plus the read endpoints.

Pipeline: route → injected fault → required headers, Authorization, 5-minute window, signature
(over the meta for uploads) → ownership (403) → rate limit (429) → validation (400 PARAM_ERROR)
→ business rules (400 INVALID_REQUEST). Writes live in sandbox/actions.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox import actions, auth, refund_api, uploads, validation
from sandbox.call import Call
from sandbox.complaints import CHINA, present_complaint, present_history
from sandbox.web import ApiError, Request, Response
from wechatpay import crypto

if TYPE_CHECKING:
    from sandbox.state import State

PREFIX = "/v3/merchant-service/complaints-v2"
NO_AUTH_QUERY = "您暂无权限查询该投诉单的信息"
NO_AUTH_WRITE = "您暂无权限为该投诉单提交商户回复"


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str  # also the rate-limit bucket
    handler: Callable[[State, Call], Response]
    owns_complaint: bool = False


def _route(method: str, path: str, name: str, handler: Any, owns: bool = False) -> Route:
    return Route(method, re.compile(path), name, handler, owns)


def list_complaints(app: State, call: Call) -> Response:
    query = call.request.query
    begin, end = validation.date_span(query)
    limit, offset = validation.page(query, 10, 50)
    wanted = query.get("complainted_mchid") or None
    mchids = [wanted] if wanted else [call.merchant.mchid, *call.merchant.sub_mchids]
    if call.merchant.kind != "partner":
        mchids = mchids[:1]
    start = dt.datetime.combine(begin, dt.time(), CHINA).timestamp()
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), CHINA).timestamp()
    marks = ",".join("?" * len(mchids))
    where = f"mchid IN ({marks}) AND created >= ? AND created < ?"
    params = (*mchids, start, stop)
    rows = app.store.query(
        f"SELECT data, phone FROM complaints WHERE {where} ORDER BY created, complaint_id"  # noqa: S608
        " LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    data = [
        present_complaint(
            json.loads(r["data"]), r["phone"], call.merchant, call.serial, call.base_url,
            detail=False,
        )
        for r in rows
    ]  # fmt: skip
    page: dict[str, Any] = {"data": data, "limit": limit, "offset": offset}
    if offset == 0:
        total = app.store.query(f"SELECT COUNT(*) AS n FROM complaints WHERE {where}", params)  # noqa: S608
        page["total_count"] = total[0]["n"]
    return Response.json(200, page, sign=True)


def complaint_detail(app: State, call: Call) -> Response:
    assert call.complaint is not None
    complaint, phone, _ = call.complaint
    shown = present_complaint(
        complaint, phone, call.merchant, call.serial, call.base_url, detail=True
    )
    return Response.json(200, shown, sign=True)


def history(app: State, call: Call) -> Response:
    limit, offset = validation.page(call.request.query, 100, 300)
    entries = app.store.history(call.complaint_id)
    page: dict[str, Any] = {
        "data": [present_history(e, call.base_url) for e in entries[offset : offset + limit]],
        "limit": limit,
        "offset": offset,
    }
    if offset == 0:
        page["total_count"] = len(entries)
    return Response.json(200, page, sign=True)


def upload_image(app: State, call: Call) -> Response:
    assert call.upload is not None
    content_type = uploads.check_upload(call.upload)
    media_id = uploads.store_upload(app, call.merchant.mchid, call.upload, content_type)
    return Response.json(200, {"media_id": media_id}, sign=True)


def download_image(app: State, call: Call) -> Response:
    raw_id = call.match.group(1)
    if len(raw_id) > 256:
        raise validation.param_error("media_id", "字符数大于最大值 256", location="path")
    row = uploads.media_lookup(app, raw_id)
    if row is None or row["origin"] != "complaint":
        # Merchant uploads cannot be fetched back through this endpoint (spec §3.8).
        raise validation.param_error("media_id", "图片不存在或不可下载", location="path")
    if not call.merchant.may_act_for(row["mchid"]):
        raise ApiError(403, "NO_AUTH", NO_AUTH_QUERY)
    # Image downloads carry no WeChat signature (spec §3.9).
    return Response(200, bytes(row["data"]), {"Content-Type": row["content_type"]})


def notify_url_get(app: State, call: Call) -> Response:
    url = app.store.notify_url(call.merchant.mchid)
    if url is None:
        raise ApiError(400, "RESOURCE_NOT_EXISTS", "查询的通知回调不存在")
    return Response.json(200, {"mchid": call.merchant.mchid, "url": url}, sign=True)


def notify_url_create(app: State, call: Call) -> Response:
    url = validation.notify_url_body(call.request.json())
    if app.store.notify_url(call.merchant.mchid) is not None:
        raise ApiError(400, "INVALID_REQUEST", "通知回调地址已存在，请使用更新接口（PUT）修改")
    app.store.notify_url_set(call.merchant.mchid, url)
    return Response.json(200, {"mchid": call.merchant.mchid, "url": url}, sign=True)


def notify_url_update(app: State, call: Call) -> Response:
    url = validation.notify_url_body(call.request.json())
    if app.store.notify_url(call.merchant.mchid) is None:
        raise ApiError(400, "RESOURCE_NOT_EXISTS", "通知回调不存在，请先创建")
    app.store.notify_url_set(call.merchant.mchid, url)
    return Response.json(200, {"mchid": call.merchant.mchid, "url": url}, sign=True)


def notify_url_delete(app: State, call: Call) -> Response:
    app.store.notify_url_set(call.merchant.mchid, None)
    return Response.empty(sign=True)


def certificates(app: State, call: Call) -> Response:
    """The platform certificate, AEAD-encrypted with the caller's APIv3 key."""
    cert = app.platform.certificate
    nonce = secrets.token_hex(6)
    item = {
        "serial_no": app.platform.certificate_serial,
        "effective_time": cert.not_valid_before_utc.astimezone(CHINA).isoformat(),
        "expire_time": cert.not_valid_after_utc.astimezone(CHINA).isoformat(),
        "encrypt_certificate": {
            "algorithm": "AEAD_AES_256_GCM",
            "nonce": nonce,
            "associated_data": "certificate",
            "ciphertext": crypto.aead_encrypt(
                call.merchant.apiv3_key,
                nonce,
                "certificate",
                app.platform.certificate_pem.encode("ascii"),
            ),
        },
    }
    return Response.json(200, {"data": [item]}, sign=True)


ID = r"([^/?]+)"
ROUTES = [
    _route("GET", PREFIX, "list", list_complaints),
    _route("GET", rf"{PREFIX}/{ID}", "detail", complaint_detail, owns=True),
    _route("GET", rf"{PREFIX}/{ID}/negotiation-historys", "history", history, owns=True),
    _route("POST", rf"{PREFIX}/{ID}/response", "response", actions.reply, owns=True),
    _route(
        "POST",
        rf"{PREFIX}/{ID}/response-immediate-service",
        "response_immediate_service",
        actions.reply_immediate,
        owns=True,
    ),
    _route("POST", rf"{PREFIX}/{ID}/complete", "complete", actions.complete, owns=True),
    _route(
        "POST",
        rf"{PREFIX}/{ID}/update-refund-progress",
        "update_refund_progress",
        actions.update_refund,
        owns=True,
    ),
    _route("POST", "/v3/merchant-service/images/upload", "upload", upload_image),
    _route("GET", r"/v3/merchant-service/images/(.+)", "download", download_image),
    _route("POST", "/v3/merchant-service/complaint-notifications", "notify_url", notify_url_create),
    _route("GET", "/v3/merchant-service/complaint-notifications", "notify_url", notify_url_get),
    _route("PUT", "/v3/merchant-service/complaint-notifications", "notify_url", notify_url_update),
    _route(
        "DELETE", "/v3/merchant-service/complaint-notifications", "notify_url", notify_url_delete
    ),
    _route("GET", "/v3/certificates", "certificates", certificates),
    *(_route(*spec) for spec in refund_api.ROUTES),
]


class WeChatApi:
    def __init__(self, app: State) -> None:
        self.app = app

    def _find(self, request: Request) -> tuple[Route, re.Match[str]]:
        path_known = False
        for route in ROUTES:
            match = route.pattern.fullmatch(request.path)
            if match:
                path_known = True
                if route.method == request.method:
                    return route, match
        if path_known:
            raise ApiError(405, "METHOD_NOT_ALLOWED", f"该接口不支持{request.method}方法")
        raise ApiError(404, "NOT_FOUND", "请求的资源不存在")

    def handle(self, request: Request) -> Response:
        route, match = self._find(request)
        fault = self.app.faults.take(request.target)
        if fault is not None and fault.mode == "system_error":
            raise ApiError(
                500, "SYSTEM_ERROR", "系统错误，请使用相同参数稍后重试（沙箱注入的故障）"
            )
        if fault is not None and fault.mode == "rate_limited":
            raise ApiError(429, "FREQUENCY_LIMITED", "频率超限（沙箱注入的故障）")
        if fault is not None and fault.mode == "delay":
            time.sleep(fault.seconds)
        response = self._process(route, match, request)
        if fault is not None and fault.mode == "drop_after_commit":
            response.drop = True
        return response

    def _process(self, route: Route, match: re.Match[str], request: Request) -> Response:
        upload: list[uploads.Upload] = []

        def sign_body() -> bytes:
            if route.name != "upload":
                return request.body
            upload.append(uploads.parse_upload(request))  # signed over the meta part only
            return upload[0].meta_raw

        merchant, serial = auth.verify_request(request, self.app.store, sign_body)
        host = request.header("Host") or "127.0.0.1"
        call = Call(request, merchant, serial, f"http://{host}", match)
        call.upload = upload[0] if upload else None
        if route.owns_complaint:
            call.complaint = self._owned(call)
        if route.name == "list":
            wanted = request.query.get("complainted_mchid")
            if wanted and not merchant.may_act_for(wanted):
                raise ApiError(403, "NO_AUTH", NO_AUTH_QUERY)
        if self.app.settings.rate_limits and not self.app.rate_limiter.allow(
            merchant.mchid, route.name
        ):
            raise ApiError(429, "FREQUENCY_LIMITED", "频率超限")
        return route.handler(self.app, call)

    def _owned(self, call: Call) -> tuple[dict[str, Any], str, dict[str, Any]]:
        if len(call.complaint_id) > 64:
            raise validation.param_error("complaint_id", "字符数大于最大值 64", location="path")
        found = self.app.store.complaint_get(call.complaint_id)
        if found is None:
            raise ApiError(404, "RESOURCE_NOT_EXISTS", "投诉单不存在")
        if not call.merchant.may_act_for(found[0]["complainted_mchid"]):
            message = NO_AUTH_QUERY if call.request.method == "GET" else NO_AUTH_WRITE
            raise ApiError(403, "NO_AUTH", message)
        return found
