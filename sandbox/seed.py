"""Realistic demo content: Chinese complaint texts, orders, phone numbers, and small images."""

from __future__ import annotations

import base64
import random
import secrets
import struct
import zlib
from urllib.parse import quote

# (problem_description, complaint_detail, problem_type, amount in fen)
TEMPLATES: list[tuple[str, str, str, int]] = [
    (
        "已付款未发货",
        "我8号在你们小程序买的蓝牙耳机，付款成功后一直显示待发货，联系客服也没人回，"
        "已经等了一个星期了，请尽快发货或者退款。",
        "OTHERS",
        19900,
    ),
    (
        "申请退款",
        "会员自动续费扣了我30块，我根本没有开通过自动续费，要求全额退款并取消续费。",
        "REFUND",
        3000,
    ),
    (
        "服务权益未生效",
        "充值了视频会员，付款成功了但是账号里没有会员，看剧还是要广告，请处理。",
        "SERVICE_NOT_WORK",
        2500,
    ),
    (
        "商品与描述不符",
        "收到的衣服颜色和图片差别很大，尺码也不对，申请退货退款商家一直拖着不处理。",
        "OTHERS",
        12800,
    ),
    (
        "重复扣款",
        "同一笔订单被扣了两次钱，银行卡流水里有两笔一样的支付记录，请退还多扣的一笔。",
        "OTHERS",
        5600,
    ),
    (
        "充电宝归还后仍在计费",
        "充电宝昨天下午已经归还到原机柜了，今天还在持续扣费，请核实并退还多扣的费用。",
        "REFUND",
        9900,
    ),
    (
        "外卖未送达",
        "外卖显示已送达但我根本没收到，骑手电话打不通，餐也没吃上，要求退款。",
        "OTHERS",
        4350,
    ),
    (
        "课程无法观看",
        "购买的网课一直加载失败，换了手机和网络都不行，客服说在处理但三天了还没好。",
        "SERVICE_NOT_WORK",
        29900,
    ),
]

USER_MESSAGES = [
    "请问什么时候能处理好？",
    "我已经等了很久了，麻烦尽快给个答复。",
    "好的，谢谢，我再等等看。",
    "问题还是没有解决，我要继续投诉。",
    "已经收到退款了，谢谢。",
]


def pick_template(problem_type: str | None = None) -> tuple[str, str, str, int]:
    choices = [t for t in TEMPLATES if problem_type is None or t[2] == problem_type]
    return random.choice(choices or TEMPLATES)


def phone_number() -> str:
    return random.choice(["138", "139", "150", "186", "177"]) + "".join(
        random.choice("0123456789") for _ in range(8)
    )


def openid() -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "oUpF8u" + "".join(secrets.choice(alphabet) for _ in range(22))


def transaction_id() -> str:
    return "4200001" + "".join(random.choice("0123456789") for _ in range(21))


def out_trade_no() -> str:
    return "DD" + "".join(random.choice("0123456789") for _ in range(18))


def complaint_media_id() -> str:
    """A token like the ones in real media URLs: base64 with '/', '+', '=' percent-encoded.

    The random bytes are chosen so the token always contains %2F and ends in %3D, since clients
    must sign such ids exactly as they appear in the URL, without decoding or re-encoding them.
    """
    raw = secrets.token_bytes(40)
    token = base64.b64encode(raw).decode("ascii")
    if "/" not in token:
        token = token[:10] + "/" + token[11:]
    token = token.rstrip("=") + "="
    return quote(token, safe="")


# --- images: tiny valid PNGs drawn without any imaging library ---------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 64, height: int = 48, colour: tuple[int, int, int] | None = None) -> bytes:
    """A solid-colour RGB PNG with a darker diagonal, so demo images are not all the same."""
    r, g, b = colour or (random.randint(80, 230), random.randint(80, 230), random.randint(80, 230))
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            on_line = abs(x * height - y * width) < width * 2
            row += bytes((r // 2, g // 2, b // 2) if on_line else (r, g, b))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _chunk(b"IEND", b"")
    )
