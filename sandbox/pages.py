"""The sandbox's own small web pages: the complaint list and each conversation as the WeChat user
would see it, NormalMessage blocks rendered. Server-rendered HTML, no JavaScript.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

from sandbox.complaints import IMAGE_PATH
from sandbox.web import Response

if TYPE_CHECKING:
    from sandbox.app import Sandbox

STATES = {"PENDING": "待处理", "PROCESSING": "处理中", "PROCESSED": "已处理完成"}
PROBLEMS = {"REFUND": "申请退款", "SERVICE_NOT_WORK": "服务权益未生效", "OTHERS": "其他"}
USER_SIDE = {"USER_CREATE_COMPLAINT", "USER_CONTINUE_COMPLAINT", "USER_RESPONSE",
             "USER_CLICK_RESPONSE", "USER_APPLY_PLATFORM_SERVICE", "USER_CANCEL_PLATFORM_SERVICE",
             "USER_SUBMIT_SATISFACTION"}  # fmt: skip
MERCHANT_SIDE = {"MERCHANT_RESPONSE", "MERCHANT_CONFIRM_COMPLETE", "MERCHANT_APPROVE_REFUND",
                 "MERCHANT_REFUSE_RERUND"}  # fmt: skip
STYLE = """
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;
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


def html(body: str, title: str = "微信支付投诉沙箱", status: int = 200) -> Response:
    page = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}'
        f'</title><style>{STYLE}</style></head><body><header><a href="/_sandbox/">'
        f"微信支付投诉沙箱</a> · {escape(title)}</header><main>{body}</main></body></html>"
    )
    return Response(status, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def _media_src(path_or_id: str) -> str:
    """Complaint media and merchant uploads, both served unsigned for the page."""
    if path_or_id.startswith(IMAGE_PATH):
        return "/_sandbox/media/" + path_or_id[len(IMAGE_PATH) :]
    if path_or_id.startswith("/"):
        return path_or_id
    return "/_sandbox/media/" + path_or_id


def index(app: Sandbox, mchid: str | None, error: str = "") -> str:
    rows = app.store.query(
        "SELECT data FROM complaints WHERE (? IS NULL OR mchid = ?)"
        " ORDER BY created DESC LIMIT 300",
        (mchid, mchid),
    )
    lines = []
    for row in rows:
        c = json.loads(row["data"])
        flags = []
        if c.get("need_immediate_service"):
            flags.append('<span class="tag warn">需即时服务</span>')
        if c.get("incoming_user_response"):
            flags.append('<span class="tag warn">用户有新留言</span>')
        if c.get("in_platform_service"):
            flags.append('<span class="tag">平台协助中</span>')
        lines.append(
            f'<tr><td><a href="/_sandbox/complaints/{escape(c["complaint_id"])}">'
            f"{escape(c['complaint_id'])}</a></td><td>{escape(c['complainted_mchid'])}</td>"
            f"<td>{escape(c['problem_description'])}</td>"
            f"<td>{STATES.get(c['complaint_state'], escape(c['complaint_state']))}</td>"
            f"<td>{''.join(flags)}</td><td class=meta>"
            f"{escape(c['complaint_time'][:16].replace('T', ' '))}</td></tr>"
        )
    table = "".join(lines) or '<tr><td colspan="6">暂无投诉单</td></tr>'
    return _new_complaint_form(app, error) + (
        "<table><tr><th>投诉单号</th><th>被诉商户号</th><th>问题描述</th><th>状态</th>"
        f"<th>标记</th><th>投诉时间</th></tr>{table}</table>"
    )


def _new_complaint_form(app: Sandbox, error: str) -> str:
    """File complaints as consumers would (demos): they reach the console by notification."""
    merchants = "".join(
        f'<option value="{escape(mchid)}">{escape(mchid)}</option>'
        for mchid in app.store.merchants()
    )
    problems = "".join(f'<option value="{key}">{label}</option>' for key, label in PROBLEMS.items())
    failure = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
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
    kind = action.get("action_type", "")
    if kind == "ACTION_TYPE_JUMP_URL":
        return f"跳转链接：{action.get('jump_url', '')}"
    if kind == "ACTION_TYPE_JUMP_MINI_PROGRAM":
        return f"跳转小程序：{(action.get('mini_program_jump_info') or {}).get('appid', '')}"
    content = (action.get("message_info") or {}).get("content", "")
    return f"发送消息：{content}"


def _clickable(item: dict[str, Any], css: str, act_url: str | None = None) -> str:
    action = item.get("action") or {}
    title = escape(_action_label(action))
    text = escape(item.get("text", ""))
    if action.get("action_type") == "ACTION_TYPE_JUMP_URL":
        href = escape(action.get("jump_url", ""))
        return f'<a class="{css}" href="{href}" title="{title}">{text}</a>'
    action_id = escape(action.get("action_id", ""))
    if act_url and action_id and action.get("action_type") == "ACTION_TYPE_SEND_MESSAGE":
        # The consumer taps it: a USER_CLICK_RESPONSE, as WeChat would record.
        return (
            f'<form class="inline" method="post" action="{act_url}">'
            '<input type="hidden" name="action" value="click">'
            f'<input type="hidden" name="action_id" value="{action_id}">'
            f'<button type="submit" class="{css}" title="{title}">{text}</button></form>'
        )
    return f'<span class="{css}" title="{title} {action_id}">{text}</span>'


def render_block(block: dict[str, Any], act_url: str | None = None) -> str:
    """One NormalMessage block as the consumer sees it; with `act_url`, its send-message
    buttons can be tapped."""
    kind = block.get("type")
    if kind == "TEXT":
        text = block.get("text") or {}
        css = ("secondary " if text.get("color") == "SECONDARY" else "") + (
            "bold" if text.get("is_bold") else ""
        )
        body = escape(text.get("text", "")).replace("\n", "<br>")
        return f'<div class="{css.strip()}">{body}</div>'
    if kind == "IMAGE":
        image = block.get("image") or {}
        wide = " wide" if image.get("image_style_type") == "IMAGE_STYLE_TYPE_WIDE" else ""
        src = escape(_media_src(image.get("media_id", "")))
        return f'<img class="pic{wide}" src="{src}" alt="图片">'
    if kind == "LINK":
        return f"<div>{_clickable(block.get('link') or {}, 'link', act_url)}</div>"
    if kind == "FAQ_LIST":
        faqs = (block.get("faq_list") or {}).get("faqs", [])
        clickables = [{"text": f.get("faq_title", ""), "action": f.get("action")} for f in faqs]
        items = "".join(f"<li>{_clickable(c, 'link', act_url)}</li>" for c in clickables)
        return f'<div class="meta">猜你想问</div><ul class="faq">{items}</ul>'
    if kind == "BUTTON":
        return f"<div>{_clickable(block.get('button') or {}, 'btn', act_url)}</div>"
    if kind == "BUTTON_GROUP":
        group = block.get("button_group") or {}
        layout = "vertical" if group.get("button_layout") == "LAYOUT_VERTICAL" else "horizontal"
        buttons = "".join(_clickable(b, "btn", act_url) for b in group.get("buttons", []))
        return f'<div class="group {layout}">{buttons}</div>'
    return f"<div class=meta>[{escape(str(kind))}]</div>"


def _entry_body(entry: dict[str, Any], reply: dict[str, Any] | None, act_url: str) -> str:
    message = entry.get("normal_message")
    if message:
        parts = [render_block(b, act_url) for b in message.get("blocks", [])]
    else:
        parts = [f"<div>{escape(entry.get('operate_details') or '')}</div>"]
    for image in entry.get("image_list") or []:
        parts.append(f'<img class="pic" src="{escape(_media_src(image))}" alt="图片">')
    media = entry.get("complaint_media_list") or {}
    for url in media.get("media_url", []):
        parts.append(f'<img class="pic" src="{escape(_media_src(url))}" alt="投诉图片">')
    if reply and reply.get("jump_url"):
        parts.append(
            f'<div><a class="link" href="{escape(reply["jump_url"])}">'
            f"{escape(reply.get('jump_url_text', ''))}</a></div>"
        )
    return "".join(parts)


def conversation(app: Sandbox, complaint_id: str, error: str = "") -> str:
    found = app.store.complaint_get(complaint_id)
    if found is None:
        return "<p>投诉单不存在</p>"
    complaint = found[0]
    act_url = f"/_sandbox/complaints/{escape(complaint_id)}/act"
    replies = {r["log_id"]: r["body"] for r in app.store.replies(None, complaint_id)}
    rows = []
    for entry in app.store.history(complaint_id):
        kind = entry["operate_type"]
        body = _entry_body(entry, replies.get(entry["log_id"]), act_url)
        time_text = escape(entry["operate_time"][11:16])
        if kind in USER_SIDE or kind in MERCHANT_SIDE:
            side, who = ("user", "我") if kind in USER_SIDE else ("merchant", "商家")
            rows.append(
                f'<div class="row {side}"><div class="who">{who}<br>{time_text}</div>'
                f'<div class="bubble">{body}</div></div>'
            )
        else:
            rows.append(f'<div class="system">{escape(entry["operator"])}：{body}</div>')
    order = (complaint.get("complaint_order_info") or [{}])[0]
    amount = order.get("amount", 0) / 100
    head = (
        f'<div class="card"><div class="bold">{escape(complaint["problem_description"])}'
        f"（{PROBLEMS.get(complaint.get('problem_type', ''), '其他')}）</div>"
        f"<div class=meta>投诉单号 {escape(complaint_id)} · "
        f"{STATES.get(complaint['complaint_state'], '')} · 投诉次数 "
        f"{complaint['user_complaint_times']} · 订单金额 ¥{amount:.2f}</div></div>"
    )
    failure = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return head + "".join(rows) + failure + _consumer_forms(act_url)


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
