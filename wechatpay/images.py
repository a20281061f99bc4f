"""Image checks and the multipart body of the upload endpoint (§3.8)."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from wechatpay.errors import InvalidArgumentError

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_FILENAME_CHARS = 128

# (magic prefix, content type, accepted filename suffixes)
_FORMATS = (
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"BM", "image/bmp", (".bmp",)),
)


@dataclass(frozen=True)
class MultipartUpload:
    meta: str  # the JSON that is signed
    body: bytes
    content_type: str
    sha256: str


def detect_image_type(content: bytes) -> tuple[str, tuple[str, ...]]:
    """Content type and accepted suffixes, judged by the bytes, not by the filename."""
    for magic, content_type, suffixes in _FORMATS:
        if content.startswith(magic):
            return content_type, suffixes
    raise InvalidArgumentError("image must be a JPG, PNG or BMP file (checked by its content)")


def build_upload(content: bytes, filename: str) -> MultipartUpload:
    if not content:
        raise InvalidArgumentError("image is empty")
    if len(content) > MAX_IMAGE_BYTES:
        raise InvalidArgumentError(
            f"image is {len(content)} bytes; WeChat Pay accepts at most 2 MB ({MAX_IMAGE_BYTES})"
        )
    content_type, suffixes = detect_image_type(content)
    _check_filename(filename, suffixes)
    digest = hashlib.sha256(content).hexdigest()
    meta = json.dumps(
        {"filename": filename, "sha256": digest}, ensure_ascii=False, separators=(",", ":")
    )
    boundary = secrets.token_hex(16)
    body = b"".join(
        (
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="meta"\r\n',
            b"Content-Type: application/json\r\n\r\n",
            meta.encode("utf-8"),
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode(),
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )
    return MultipartUpload(
        meta=meta,
        body=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        sha256=digest,
    )


def _check_filename(filename: str, suffixes: tuple[str, ...]) -> None:
    if not filename or len(filename) > MAX_FILENAME_CHARS:
        raise InvalidArgumentError(f"filename must have 1 to {MAX_FILENAME_CHARS} characters")
    if any(ch in filename for ch in '"\\/\r\n') or not filename.isprintable():
        raise InvalidArgumentError(
            "filename must not contain quotes, slashes or control characters"
        )
    if not filename.lower().endswith(suffixes):
        raise InvalidArgumentError(
            f"filename {filename!r} must end with {' or '.join(suffixes)} "
            "to match the image content"
        )
