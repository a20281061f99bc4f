"""The complaint-image endpoints of `wechatpay.Client`: upload (feedback images) and download."""

from __future__ import annotations

from urllib.parse import urlsplit

from wechatpay.errors import InvalidArgumentError
from wechatpay.images import build_upload
from wechatpay.models import DownloadedImage, UploadedImage
from wechatpay.wire import parse_json, unexpected

OFFICIAL_HOSTS = frozenset({"api.mch.weixin.qq.com", "api2.mch.weixin.qq.com"})
IMAGES = "/v3/merchant-service/images/"


class ImageEndpoints:
    """Mixed into Client, which provides `_call` and `transport`."""

    def upload_image(self, content: bytes, filename: str) -> UploadedImage:
        """Upload a JPG/PNG/BMP (≤ 2 MB, type judged by content); the signature covers `meta`."""
        upload = build_upload(content, filename)
        response = self._call(
            "POST",
            IMAGES + "upload",
            body=upload.body,
            sign_body=upload.meta.encode("utf-8"),
            content_type=upload.content_type,
        )
        media_id = parse_json(response).get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise unexpected(response, "image upload returned no media_id")
        return UploadedImage(media_id=media_id, sha256=upload.sha256)

    def download_image(self, media_url: str) -> DownloadedImage:
        """Fetch a complaint image by its media_url exactly as WeChat gave it (already
        percent-encoded: never encoded again). The answer is unsigned by design (§3.9)."""
        target = self._media_target(media_url)
        response = self._call("GET", target, accept="*/*", verify=False)
        return DownloadedImage(
            content=response.body,
            content_type=response.headers.get("Content-Type", "application/octet-stream"),
        )

    def _media_target(self, media_url: str) -> str:
        parts = urlsplit(media_url)
        if parts.scheme or parts.netloc:
            allowed = set(OFFICIAL_HOSTS)
            for url in (self.transport.base_url, self.transport.backup_url):
                if url:
                    allowed.add(urlsplit(url).netloc)
            if parts.netloc not in allowed:
                raise InvalidArgumentError(
                    f"media_url host {parts.netloc!r} is not WeChat Pay's; refusing to sign for it"
                )
            target = media_url[len(f"{parts.scheme}://{parts.netloc}") :]
        else:
            target = media_url
        target = target.partition("#")[0]
        if not target.startswith(IMAGES) or target == IMAGES + "upload":
            raise InvalidArgumentError(f"not a complaint image URL: {media_url!r}")
        return target
