"""The order and refund endpoints of the WeChat surface (refund spec §3-§5, checks of §10.3).

Routed by sandbox/api.py after the common pipeline (injected faults, headers, signature, rate
limit). Order queries answer 404 ORDER_NOT_EXIST for an order the caller may not see; refunds
check fields (400 PARAM_ERROR), then the order (404 RESOURCE_NOT_EXISTS, 403 NO_AUTH for another
merchant's), then `out_refund_no` replay (same values: the existing refund; other values:
400 INVALID_REQUEST), then the business rules (400 INVALID_REQUEST, over-refund included), then
injected NOT_ENOUGH / USER_ACCOUNT_ABNORMAL, and accept — all in one store transaction, so two
concurrent calls with one `out_refund_no` make one refund.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from sandbox import payments, refund_events
from sandbox.store import Merchant
from sandbox.validation import json_object, string
from sandbox.web import ApiError, Request, Response, invalid_request, param_error

ORDER_NOT_EXIST = ApiError(404, "ORDER_NOT_EXIST", "订单不存在")
MISMATCH = "订单金额或退款金额与之前请求不一致,请核实后再试"
OVER_REFUND = "申请退款金额超过订单可退金额"
YEAR = 365 * 24 * 3600.0
MAX_REFUNDS_PER_ORDER = 50
NUMBER = re.compile(r"[0-9A-Za-z_\-|*@]+")
FAULT_ERRORS = {
    "not_enough": ApiError(403, "NOT_ENOUGH", "基本账户余额不足,请充值后重新发起"),
    "user_account_abnormal": ApiError(
        403, "USER_ACCOUNT_ABNORMAL", "用户账户异常或已注销,不能原路退回,请使用其他方式进行退款。"
    ),
}
FAULT_OUTCOMES = {"refund_abnormal": "ABNORMAL", "refund_closed": "CLOSED"}


class ApiContext(refund_events.Context, Protocol):
    faults: Any  # take_refund(target) -> Fault | None
    refunds: Any  # the RefundProcessor: poke()


class CallLike(Protocol):
    request: Request
    merchant: Merchant
    match: re.Match[str]


# --- order query (§3) ----------------------------------------------------------------------------


def query_order(app: ApiContext, call: CallLike) -> Response:
    request, caller = call.request, call.merchant
    by_id = "/transactions/id/" in request.path
    value = unquote(call.match.group(1))
    if "out_trade_no" in request.query or "transaction_id" in request.query:
        raise param_error(
            "out_trade_no", "此字段并非多重字段但被输入源“/uri_template”映射过了", "query"
        )
    if len(value) > 32 or (by_id and not value.isdigit()):
        raise param_error("transaction_id" if by_id else "out_trade_no", "微信订单号非法", "path")
    partner = request.path.startswith("/v3/pay/partner/")
    if partner:
        sp_mchid = _query_field(request, "sp_mchid")
        owner = _query_field(request, "sub_mchid")
        visible = sp_mchid == caller.mchid and caller.kind == "partner"
        visible = visible and owner in caller.sub_mchids
    else:
        owner = _query_field(request, "mchid")
        visible = owner == caller.mchid
    with app.store.transaction() as db:
        if by_id:
            order = payments.order_by_transaction_id(db, value)
        else:
            order = payments.order_by_out_trade_no(db, owner, value)
        if order is None or not visible or order["mchid"] != owner:
            raise ORDER_NOT_EXIST
        shown = payments.present_order(order, sp_mchid=caller.mchid if partner else None)
    return Response.json(200, shown, sign=True)


def _query_field(request: Request, name: str) -> str:
    value = request.query.get(name, "")
    if not value:
        raise param_error(name, "必填字段缺失", "query")
    return value


# --- refunds (§4, §5) ----------------------------------------------------------------------------


def _amount(body: dict[str, Any]) -> tuple[int, int]:
    amount = body.get("amount")
    if not isinstance(amount, dict):
        raise param_error("amount", "必填字段缺失" if amount is None else "应为对象")
    values = []
    for name in ("refund", "total"):
        value = amount.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise param_error(f"amount.{name}", "必填字段缺失" if value is None else "应为整数")
        if value <= 0:
            raise param_error(f"amount.{name}", "应为大于0的整数（单位：分）")
        values.append(value)
    if amount.get("currency") != "CNY":
        raise param_error("amount.currency", "必填字段，固定传：CNY")
    parts = amount.get("from")
    if parts is not None:
        if not isinstance(parts, list) or not all(isinstance(p, dict) for p in parts):
            raise param_error("amount.from", "应为数组")
        if sum(p.get("amount", 0) for p in parts if isinstance(p.get("amount"), int)) != values[0]:
            raise param_error("amount.from", "出资账户金额之和应等于退款金额")
    return values[0], values[1]


def create_body(raw: Any) -> dict[str, Any]:
    """The checked fields of POST /v3/refund/domestic/refunds (§4.1)."""
    body = json_object(raw)
    transaction_id = string(body, "transaction_id", 32)
    out_trade_no = string(body, "out_trade_no", 32)
    if not transaction_id and not out_trade_no:
        raise param_error("transaction_id", "transaction_id和out_trade_no必须二选一进行传参")
    number = string(body, "out_refund_no", 64, required=True) or ""
    if not NUMBER.fullmatch(number):
        raise param_error("out_refund_no", "只能是数字、大小写字母_-|*@")
    reason = string(body, "reason", 80)
    if reason is not None and len(reason.encode("utf-8")) > 80:
        raise param_error("reason", f"字节数 {len(reason.encode('utf-8'))}，大于最大值 80")
    notify_url = string(body, "notify_url", 256)
    if notify_url is not None:
        parts = urlsplit(notify_url)
        loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
        if (parts.scheme != "https" and not loopback) or not parts.hostname or parts.query:
            raise param_error("notify_url", "通知地址须为https且不能携带查询参数")
    funds_account = string(body, "funds_account", 32)
    if funds_account is not None and funds_account not in ("AVAILABLE", "UNSETTLED"):
        raise param_error("funds_account", "取值应为AVAILABLE或UNSETTLED")
    refund, total = _amount(body)
    sub_mchid = string(body, "sub_mchid", 32)
    return {
        "transaction_id": transaction_id,
        "out_trade_no": out_trade_no,
        "out_refund_no": number,
        "reason": reason,
        "notify_url": notify_url,
        "funds_account": funds_account or "UNSETTLED",
        "refund": refund,
        "total": total,
        "sub_mchid": sub_mchid or "",
    }


def _owner(caller: Merchant, sub_mchid: str) -> str:
    """Whose orders the caller refunds: its own, or (providers) its sub-merchant's."""
    if caller.kind == "partner":
        if not sub_mchid:
            raise param_error("sub_mchid", "服务商模式下必须传递此参数")
        if sub_mchid not in caller.sub_mchids:
            raise ApiError(403, "NO_AUTH", "服务商与该子商户不存在受理关系")
        return sub_mchid
    if sub_mchid:
        raise param_error("sub_mchid", "非服务商模式不能传递此参数")
    return caller.mchid


def _order(db: Any, owner: str, body: dict[str, Any]) -> dict[str, Any]:
    if body["transaction_id"]:
        order = payments.order_by_transaction_id(db, body["transaction_id"])
        if order is not None and order["mchid"] != owner:
            raise ApiError(403, "NO_AUTH", "没有此单的退款权限")
        if order and body["out_trade_no"] and order["out_trade_no"] != body["out_trade_no"]:
            raise invalid_request("transaction_id与out_trade_no不是同一笔订单")
    else:
        order = payments.order_by_out_trade_no(db, owner, body["out_trade_no"])
    if order is None or order["trade_state"] not in payments.PAID:
        raise ApiError(404, "RESOURCE_NOT_EXISTS", "订单不存在")
    return order


def _business_rules(app: ApiContext, db: Any, order: dict[str, Any], body: dict) -> None:
    if body["total"] != order["total"]:
        raise invalid_request(MISMATCH)
    paid_at = dt.datetime.fromisoformat(order["success_time"]).timestamp()
    if time.time() - paid_at > YEAR:
        raise invalid_request("超期订单不允许退款（支付成功超过一年）")
    earlier = payments.refunds_of_order(db, order["transaction_id"])
    if len(earlier) >= MAX_REFUNDS_PER_ORDER:
        raise invalid_request("该订单退款次数已达上限（50次）")
    spacing = app.settings.refund_min_interval
    if earlier and spacing and time.time() - earlier[-1]["created"] < spacing:
        raise ApiError(429, "FREQUENCY_LIMITED", "同一笔订单的多次退款需间隔1分钟，请稍后再试")
    if body["refund"] > order["total"] - payments.refunded(db, order["transaction_id"]):
        raise invalid_request(OVER_REFUND)


def create_refund(app: ApiContext, call: CallLike) -> Response:
    body = create_body(call.request.json())
    caller = call.merchant
    owner = _owner(caller, body["sub_mchid"])
    with app.store.transaction() as db:
        order = _order(db, owner, body)
        existing = payments.refund_by_number(
            db, caller.mchid, body["sub_mchid"], body["out_refund_no"]
        )
        if existing is not None:
            same = (existing["transaction_id"], existing["refund"], existing["total"]) == (
                order["transaction_id"], body["refund"], body["total"],
            )  # fmt: skip
            if not same:
                raise invalid_request(MISMATCH)
            return Response.json(200, payments.present_refund(existing, order), sign=True)
        _business_rules(app, db, order, body)
        fault = app.faults.take_refund(call.request.target)
        if fault is not None and fault.mode in FAULT_ERRORS:
            raise FAULT_ERRORS[fault.mode]
        refund = _insert(app, db, caller.mchid, order, body, fault.mode if fault else None)
        refund_events.on_accepted(app, db, order, body["refund"])
    app.refunds.poke()
    return Response.json(200, payments.present_refund(refund, order), sign=True)


def _insert(
    app: ApiContext, db: Any, mchid: str, order: dict, body: dict, fault_mode: str | None
) -> dict[str, Any]:
    now = time.time()
    refund = {
        "refund_id": payments.new_refund_id(),
        "mchid": mchid,
        "sub_mchid": body["sub_mchid"],
        "out_refund_no": body["out_refund_no"],
        "transaction_id": order["transaction_id"],
        "status": "PROCESSING",
        "refund": body["refund"],
        "total": body["total"],
        "outcome": FAULT_OUTCOMES.get(fault_mode or "", "SUCCESS"),
        "due_at": now + app.settings.refund_delay,
        "created": now,
        "create_time": payments.now_text(now),
        "success_time": "",
        "notify_url": body["notify_url"],
        "reason": body["reason"],
        "funds_account": body["funds_account"],
    }
    db.execute(
        f"INSERT INTO refunds ({', '.join(refund)}) VALUES ({', '.join('?' * len(refund))})",  # noqa: S608
        tuple(refund.values()),
    )
    db.execute(
        "UPDATE orders SET trade_state = 'REFUND' WHERE transaction_id = ?",
        (order["transaction_id"],),
    )
    return refund


def query_refund(app: ApiContext, call: CallLike) -> Response:
    number = unquote(call.match.group(1))
    if len(number) > 64 or not NUMBER.fullmatch(number):
        raise param_error("out_refund_no", "只能是数字、大小写字母_-|*@，最长64位", "path")
    caller = call.merchant
    sub_mchid = call.request.query.get("sub_mchid", "")
    _owner(caller, sub_mchid)
    with app.store.transaction() as db:
        refund = payments.refund_by_number(db, caller.mchid, sub_mchid, number)
        if refund is None:
            raise ApiError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        order = payments.order_by_transaction_id(db, refund["transaction_id"])
        assert order is not None
    return Response.json(200, payments.present_refund(refund, order), sign=True)


ID = r"([^/?]+)"
ROUTES = [
    ("GET", rf"/v3/pay/transactions/id/{ID}", "order_query", query_order),
    ("GET", rf"/v3/pay/transactions/out-trade-no/{ID}", "order_query", query_order),
    ("GET", rf"/v3/pay/partner/transactions/id/{ID}", "order_query", query_order),
    ("GET", rf"/v3/pay/partner/transactions/out-trade-no/{ID}", "order_query", query_order),
    ("POST", "/v3/refund/domestic/refunds", "refund_create", create_refund),
    ("GET", rf"/v3/refund/domestic/refunds/{ID}", "refund_query", query_refund),
]
