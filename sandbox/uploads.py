"""Image upload (multipart, signed over the meta) and image download (unsigned), spec §3.8-3.9."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from sandbox.web import ApiError, Request, param_error

if TYPE_CHECKING:
    from sandbox.state import State

MAX_IMAGE = 2 * 1024 * 1024
SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_DISPOSITION_NAME = re.compile(r'\bname="([^"]*)"', re.IGNORECASE)


@dataclass
class Part:
    name: str
    headers: dict[str, str]
    data: bytes


@dataclass
class Upload:
    meta_raw: bytes  # what the merchant signed
    meta: dict[str, Any]
    file: bytes


def _boundary(request: Request) -> bytes:
    """From the Content-Type, or else from the body's first line.

    The wechatpayv3 SDK sends `Content-Type: multipart/form-data` without a boundary parameter,
    and WeChat Pay accepts it, so the delimiter line of the body has to do.
    """
    content_type = request.header("Content-Type")
    if not content_type.lower().startswith("multipart/form-data"):
        raise ApiError(400, "PARAM_ERROR", "上传图片请使用multipart/form-data", {"field": "file"})
    match = _BOUNDARY.search(content_type)
    if match:
        return match.group(1).encode("latin-1")
    first_line = request.body.split(b"\r\n", 1)[0]
    if first_line.startswith(b"--") and len(first_line) > 2:
        return first_line[2:]
    raise ApiError(400, "PARAM_ERROR", "multipart请求体格式错误：找不到分隔符", {"field": "body"})


def parse_multipart(request: Request) -> list[Part]:
    delimiter = b"--" + _boundary(request)
    chunks = request.body.split(delimiter)
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise ApiError(400, "PARAM_ERROR", "multipart请求体格式错误", {"field": "body"})
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        match = _DISPOSITION_NAME.search(headers.get("content-disposition", ""))
        parts.append(Part(match.group(1) if match else "", headers, data.removesuffix(b"\r\n")))
    return parts


def parse_upload(request: Request) -> Upload:
    parts = {part.name: part for part in parse_multipart(request)}
    if "meta" not in parts:
        raise param_error("meta", "必填字段缺失")
    if "file" not in parts:
        raise param_error("file", "必填字段缺失")
    try:
        meta = json.loads(parts["meta"].data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise param_error("meta", "meta应为JSON") from exc
    if not isinstance(meta, dict):
        raise param_error("meta", "meta应为JSON对象")
    return Upload(parts["meta"].data, meta, parts["file"].data)


def sniff(data: bytes) -> str | None:
    """Image type by content, never by the name the client chose."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"BM") and len(data) > 26:
        return "image/bmp"
    return None


def check_upload(upload: Upload) -> str:
    """Validate meta and file; return the content type."""
    filename = upload.meta.get("filename")
    if not isinstance(filename, str) or not filename:
        raise param_error("meta.filename", "必填字段缺失")
    if len(filename) > 128:
        raise param_error("meta.filename", f"字符数 {len(filename)}，大于最大值 128")
    if not filename.lower().endswith(SUFFIXES):
        raise param_error("meta.filename", "文件名后缀应为jpg、png或bmp")
    digest = upload.meta.get("sha256")
    if not isinstance(digest, str) or not digest:
        raise param_error("meta.sha256", "必填字段缺失")
    if len(digest) > 256:
        raise param_error("meta.sha256", "字符数大于最大值 256")
    if len(upload.file) > MAX_IMAGE:
        raise param_error("file", f"图片大小 {len(upload.file)} 字节，不能超过2M")
    if not upload.file:
        raise param_error("file", "文件为空")
    if hashlib.sha256(upload.file).hexdigest() != digest.lower():
        raise param_error("meta.sha256", "sha256与上传文件的摘要不一致")
    content_type = sniff(upload.file)
    if content_type is None:
        raise param_error("file", "仅支持JPG、BMP、PNG格式的图片")
    return content_type


def store_upload(app: State, mchid: str, upload: Upload, content_type: str) -> str:
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/bmp": "bmp"}[content_type]
    media_id = f"{secrets.token_hex(16).upper()}.{extension}"
    app.store.media_put(media_id, mchid, "upload", content_type, upload.file)
    return media_id


def media_lookup(app: State, raw_id: str) -> Any:
    """Stored ids are kept as they appear in URLs; accept an id that was decoded once."""
    return app.store.media_get(raw_id) or app.store.media_get(quote(unquote(raw_id), safe=""))
