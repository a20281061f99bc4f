"""The sandbox's own small web pages: the complaint list and each conversation as the WeChat user
would see it, NormalMessage blocks rendered. Server-rendered HTML, no JavaScript.

Everything shown comes from outside (the control API accepts any JSON for a complaint's fields;
merchants write the replies), so every value goes through `_text`, links keep only http(s)
addresses, and the pages carry the console's strict CSP: no inline script or style, the style
sheet is served from /_sandbox/static/sandbox.css.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

from sandbox.complaints import IMAGE_PATH
from sandbox.pages_payments import orders_card
from sandbox.web import Response

if TYPE_CHECKING:
    from sandbox.state import State

STATES = {"PENDING": "待处理", "PROCESSING": "处理中", "PROCESSED": "已处理完成"}
PROBLEMS = {"REFUND": "申请退款", "SERVICE_NOT_WORK": "服务权益未生效", "OTHERS": "其他"}
USER_SIDE = {"USER_CREATE_COMPLAINT", "USER_CONTINUE_COMPLAINT", "USER_RESPONSE",
             "USER_CLICK_RESPONSE", "USER_APPLY_PLATFORM_SERVICE", "USER_CANCEL_PLATFORM_SERVICE",
             "USER_SUBMIT_SATISFACTION"}  # fmt: skip
MERCHANT_SIDE = {"MERCHANT_RESPONSE", "MERCHANT_CONFIRM_COMPLETE", "MERCHANT_APPROVE_REFUND",
                 "MERCHANT_REFUSE_RERUND"}  # fmt: skip
STYLE = """body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;
background:#ededed}
header{background:#2e2e2e;color:#fff;padding:12px 20px}header a{color:#9fe6a0}
main{max-width:760px;margin:0 auto;padding:16px}table{width:100%;border-collapse:collapse;
background:#fff}td,th{padding:8px;border-bottom:1px solid #eee;text-align:left;font-size:14px}
.tag{display:inline-block;padding:1px 6px;border-radius:3px;background:#e8f5e9;color:#07c160;
font-size:12px}.warn{background:#fff3e0;color:#fa9d3b}.card{background:#fff;padding:12px 16px;
margin-bottom:12px;border-radius:6px}.row{display:flex;margin:10px 0}.row.merchant{
flex-direction:row-reverse}.bubble{max-width:70%;background:#fff;padding:10px 12px;
border-radius:6px}
.merchant .bubble{background:#95ec69}.system{text-align:center;color:#888;font-size:12px;margin:8px}
.who{font-size:12px;color:#888;margin:0 8px}.secondary{color:#888}.bold{font-weight:bold}
.btn{display:inline-block;border:1px solid #07c160;color:#07c160;border-radius:4px;padding:4px 10px;
margin:4px 4px 0 0;background:#fff}.group.vertical .btn{display:block;text-align:center}
.faq{margin:6px 0 0;padding-left:18px}.link{color:#576b95}img.pic{max-width:220px;display:block;
margin-top:6px;border-radius:4px}img.wide{max-width:100%}.meta{color:#888;font-size:12px}
form.inline{display:inline}button.btn{cursor:pointer;font:inherit}.error{color:#fa5151}
textarea{width:100%;box-sizing:border-box;font:inherit;padding:6px}.acts{margin-top:8px}
label{margin-right:8px}input[type=number]{width:5em}
"""
STYLE_PATH = "/_sandbox/static/sandbox.css"
# The console's policy (console/settings/base.py CONTENT_SECURITY_POLICY); a test keeps them equal.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def html(body: str, title: str = "微信支付投诉沙箱", status: int = 200) -> Response:
    page = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{_text(title)}'
        f'</title><link rel="stylesheet" href="{STYLE_PATH}"></head><body><header>'
        f'<a href="/_sandbox/">微信支付投诉沙箱</a> · {_text(title)}</header><main>{body}</main>'
        "</body></html>"
    )
    headers = {"Content-Type": "text/html; charset=utf-8", **PAGE_HEADERS}
    return Response(status, page.encode("utf-8"), headers)


def stylesheet() -> Response:
    headers = {"Content-Type": "text/css; charset=utf-8", "X-Content-Type-Options": "nosniff"}
    return Response(200, STYLE.encode("utf-8"), headers)


def _text(value: Any) -> str:
    """Any stored value as HTML text, whatever its JSON type."""
    if value is None:
        return ""
    return escape(value if isinstance(value, str) else str(value))


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _label(labels: dict[str, str], value: Any, default: str | None = None) -> str:
    """A known code's Chinese label; anything else shown as it is, escaped."""
    if isinstance(value, str) and value in labels:
        return labels[value]
    return _text(value) if default is None else default


def _href(url: Any) -> str | None:
    """Only web addresses are links: a javascript: or data: URL is shown as text."""
    if isinstance(url, str) and url.strip().lower().startswith(("https://", "http://")):
        return escape(url.strip())
    return None


def _media_src(path_or_id: Any) -> str:
    """Complaint media and merchant uploads, both served unsigned for the page."""
    if not isinstance(path_or_id, str) or path_or_id.startswith("//"):
        return ""
    if path_or_id.startswith(IMAGE_PATH):
        return "/_sandbox/media/" + path_or_id[len(IMAGE_PATH) :]
    if path_or_id.startswith("/"):
        return path_or_id
    return "/_sandbox/media/" + path_or_id


def index(app: State, mchid: str | None, error: str = "") -> str:
    rows = app.store.query(
        "SELECT data FROM complaints WHERE (? IS NULL OR mchid = ?)"
        " ORDER BY created DESC LIMIT 300",
        (mchid, mchid),
    )
    lines = []
    for row in rows:
        c = _obj(json.loads(row["data"]))
        flags = []
        if c.get("need_immediate_service"):
            flags.append('<span class="tag warn">需即时服务</span>')
        if c.get("incoming_user_response"):
            flags.append('<span class="tag warn">用户有新留言</span>')
        if c.get("in_platform_service"):
            flags.append('<span class="tag">平台协助中</span>')
        when = str(c.get("complaint_time", ""))[:16].replace("T", " ")
        lines.append(
            f'<tr><td><a href="/_sandbox/complaints/{_text(c.get("complaint_id"))}">'
            f"{_text(c.get('complaint_id'))}</a></td><td>{_text(c.get('complainted_mchid'))}</td>"
            f"<td>{_text(c.get('problem_description'))}</td>"
            f"<td>{_label(STATES, c.get('complaint_state'))}</td>"
            f"<td>{''.join(flags)}</td><td class=meta>{_text(when)}</td></tr>"
        )
    table = "".join(lines) or '<tr><td colspan="6">暂无投诉单</td></tr>'
    return _new_complaint_form(app, error) + (
        "<table><tr><th>投诉单号</th><th>被诉商户号</th><th>问题描述</th><th>状态</th>"
        f"<th>标记</th><th>投诉时间</th></tr>{table}</table>"
    )


def _new_complaint_form(app: State, error: str) -> str:
    """File complaints as consumers would (demos): they reach the console by notification."""
    merchants = "".join(
        f'<option value="{_text(mchid)}">{_text(mchid)}</option>' for mchid in app.store.merchants()
    )
    problems = "".join(f'<option value="{key}">{label}</option>' for key, label in PROBLEMS.items())
    failure = f'<p class="error" role="alert">{_text(error)}</p>' if error else ""
    return (
        '<form class="card" method="post" action="/_sandbox/complaints/new">'
        '<div class="bold">新建投诉单（扮演用户）</div>'
        f'{failure}<label>被诉商户号 <select name="complainted_mchid">{merchants}</select></label> '
        f'<label>问题类型 <select name="problem_type">{problems}</select></label> '
        '<label><input type="checkbox" name="need_immediate_service"> 需即时服务</label> '
        '<label>数量 <input type="number" name="count" value="1" min="1" max="500"></label> '
        '<button type="submit" class="btn">提交投诉</button></form>'
    )


def _action_label(action: dict[str, Any]) -> str:
    """Plain text (the caller escapes it)."""
    kind = action.get("action_type", "")
    if kind == "ACTION_TYPE_JUMP_URL":
        return f"跳转链接：{action.get('jump_url', '')}"
    if kind == "ACTION_TYPE_JUMP_MINI_PROGRAM":
        return f"跳转小程序：{_obj(action.get('mini_program_jump_info')).get('appid', '')}"
    return f"发送消息：{_obj(action.get('message_info')).get('content', '')}"


def _clickable(item: Any, css: str, act_url: str | None = None) -> str:
    item = _obj(item)
    action = _obj(item.get("action"))
    title = _text(_action_label(action))
    text = _text(item.get("text", ""))
    if action.get("action_type") == "ACTION_TYPE_JUMP_URL":
        href = _href(action.get("jump_url"))
        if href:
            return f'<a class="{css}" href="{href}" title="{title}">{text}</a>'
        return f'<span class="{css}" title="{title}">{text}</span>'
    action_id = _text(action.get("action_id", ""))
    if act_url and action_id and action.get("action_type") == "ACTION_TYPE_SEND_MESSAGE":
        # The consumer taps it: a USER_CLICK_RESPONSE, as WeChat would record.
        return (
            f'<form class="inline" method="post" action="{act_url}">'
            '<input type="hidden" name="action" value="click">'
            f'<input type="hidden" name="action_id" value="{action_id}">'
            f'<button type="submit" class="{css}" title="{title}">{text}</button></form>'
        )
    return f'<span class="{css}" title="{title} {action_id}">{text}</span>'


def render_block(block: Any, act_url: str | None = None) -> str:
    """One NormalMessage block as the consumer sees it; with `act_url`, its send-message
    buttons can be tapped."""
    block = _obj(block)
    kind = block.get("type")
    if kind == "TEXT":
        text = _obj(block.get("text"))
        css = ("secondary " if text.get("color") == "SECONDARY" else "") + (
            "bold" if text.get("is_bold") else ""
        )
        body = _text(text.get("text", "")).replace("\n", "<br>")
        return f'<div class="{css.strip()}">{body}</div>'
    if kind == "IMAGE":
        image = _obj(block.get("image"))
        wide = " wide" if image.get("image_style_type") == "IMAGE_STYLE_TYPE_WIDE" else ""
        src = _text(_media_src(image.get("media_id", "")))
        return f'<img class="pic{wide}" src="{src}" alt="图片">'
    if kind == "LINK":
        return f"<div>{_clickable(block.get('link'), 'link', act_url)}</div>"
    if kind == "FAQ_LIST":
        faqs = [_obj(f) for f in _list(_obj(block.get("faq_list")).get("faqs"))]
        clickables = [{"text": f.get("faq_title", ""), "action": f.get("action")} for f in faqs]
        items = "".join(f"<li>{_clickable(c, 'link', act_url)}</li>" for c in clickables)
        return f'<div class="meta">猜你想问</div><ul class="faq">{items}</ul>'
    if kind == "BUTTON":
        return f"<div>{_clickable(block.get('button'), 'btn', act_url)}</div>"
    if kind == "BUTTON_GROUP":
        group = _obj(block.get("button_group"))
        layout = "vertical" if group.get("button_layout") == "LAYOUT_VERTICAL" else "horizontal"
        buttons = "".join(_clickable(b, "btn", act_url) for b in _list(group.get("buttons")))
        return f'<div class="group {layout}">{buttons}</div>'
    return f"<div class=meta>[{_text(kind)}]</div>"


def _entry_body(entry: dict[str, Any], reply: Any, act_url: str) -> str:
    message = _obj(entry.get("normal_message"))
    if message:
        parts = [render_block(b, act_url) for b in _list(message.get("blocks"))]
    else:
        parts = [f"<div>{_text(entry.get('operate_details'))}</div>"]
    for image in _list(entry.get("image_list")):
        parts.append(f'<img class="pic" src="{_text(_media_src(image))}" alt="图片">')
    for media in _list(entry.get("complaint_media_list")) or [entry.get("complaint_media_list")]:
        for url in _list(_obj(media).get("media_url")):
            parts.append(f'<img class="pic" src="{_text(_media_src(url))}" alt="投诉图片">')
    reply = _obj(reply)
    href = _href(reply.get("jump_url"))
    if href:
        text = _text(reply.get("jump_url_text", ""))
        parts.append(f'<div><a class="link" href="{href}">{text}</a></div>')
    return "".join(parts)


def conversation(app: State, complaint_id: str, error: str = "") -> str:
    found = app.store.complaint_get(complaint_id)
    if found is None:
        return "<p>投诉单不存在</p>"
    complaint = _obj(found[0])
    act_url = f"/_sandbox/complaints/{_text(complaint_id)}/act"
    replies = {r["log_id"]: r["body"] for r in app.store.replies(None, complaint_id)}
    rows = []
    for entry in app.store.history(complaint_id):
        entry = _obj(entry)
        kind = entry.get("operate_type")
        body = _entry_body(entry, replies.get(entry.get("log_id")), act_url)
        time_text = _text(str(entry.get("operate_time", ""))[11:16])
        if kind in USER_SIDE or kind in MERCHANT_SIDE:
            side, who = ("user", "我") if kind in USER_SIDE else ("merchant", "商家")
            rows.append(
                f'<div class="row {side}"><div class="who">{who}<br>{time_text}</div>'
                f'<div class="bubble">{body}</div></div>'
            )
        else:
            rows.append(f'<div class="system">{_text(entry.get("operator"))}：{body}</div>')
    order = _obj((_list(complaint.get("complaint_order_info")) or [{}])[0])
    amount = order.get("amount", 0)
    money = f"¥{amount / 100:.2f}" if isinstance(amount, int | float) else _text(amount)
    head = (
        f'<div class="card"><div class="bold">{_text(complaint.get("problem_description"))}'
        f"（{_label(PROBLEMS, complaint.get('problem_type'), '其他')}）</div>"
        f"<div class=meta>投诉单号 {_text(complaint_id)} · "
        f"{_label(STATES, complaint.get('complaint_state'))} · 投诉次数 "
        f"{_text(complaint.get('user_complaint_times'))} · 订单金额 {money}</div></div>"
    )
    failure = f'<p class="error" role="alert">{_text(error)}</p>' if error else ""
    orders = orders_card(app.store, complaint_id)
    return head + orders + "".join(rows) + failure + _consumer_forms(act_url)


def _action_button(act_url: str, action: str, label: str) -> str:
    return (
        f'<form class="inline" method="post" action="{act_url}">'
        f'<input type="hidden" name="action" value="{action}">'
        f'<button type="submit" class="btn">{label}</button></form>'
    )


def _consumer_forms(act_url: str) -> str:
    """Play the consumer (and the platform) in a demo: what the control API's user-actions do."""
    scores = "".join(f'<option value="{n}">{n} 星</option>' for n in range(5, 0, -1))
    return (
        '<div class="card"><div class="bold">扮演用户</div>'
        f'<form method="post" action="{act_url}">'
        '<input type="hidden" name="action" value="message">'
        '<textarea name="content" rows="2" required placeholder="以用户身份留言"></textarea>'
        '<button type="submit" class="btn">发送留言</button></form><div class="acts">'
        + _action_button(act_url, "continue", "继续投诉")
        + _action_button(act_url, "apply_platform_service", "申请平台协助")
        + _action_button(act_url, "refund_received", "确认收到退款")
        + f'<form class="inline" method="post" action="{act_url}">'
        '<input type="hidden" name="action" value="satisfaction">'
        f'<select name="score">{scores}</select> '
        '<button type="submit" class="btn">提交满意度</button></form></div>'
        '<div class="meta">消息里“发送消息”类的按钮和推荐问题可以直接点击，记为用户点击。</div>'
        "</div>"
    )
