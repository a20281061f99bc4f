"""The complaint API client: typed operations over a signer, a verifier and a transport (§3)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode, urlsplit

from wechatpay import crypto
from wechatpay.calls import CallInfo, CallRecording
from wechatpay.client_images import ImageEndpoints
from wechatpay.client_payments import PaymentEndpoints
from wechatpay.credentials import MerchantCredentials, Signer
from wechatpay.errors import ApiError, InvalidArgumentError, UnknownSerialError, WechatPayError
from wechatpay.models import (
    Complaint,
    HistoryEntry,
    NotificationUrl,
)
from wechatpay.transport import RawResponse, Timeout, Transport, wire_target
from wechatpay.verifier import Verifier
from wechatpay.wire import (
    COMPLAINTS,
    api_error,
    check_media_ids,
    check_range,
    complaint_path,
    date_windows,
    dump_json,
    parse_json,
    parse_model,
    unexpected,
)

logger = logging.getLogger("wechatpay")

PRODUCTION_URL = "https://api.mch.weixin.qq.com"
PRODUCTION_BACKUP_URL = "https://api2.mch.weixin.qq.com"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
NOTIFICATIONS = "/v3/merchant-service/complaint-notifications"
CERTIFICATES = "/v3/certificates"
_DEFAULT = object()


class Client(ImageEndpoints, PaymentEndpoints, CallRecording):
    """One merchant's complaint API client. Cheap to keep (one pooled Session); thread-safe."""

    def __init__(
        self,
        credentials: MerchantCredentials,
        verifier: Verifier,
        *,
        base_url: str = PRODUCTION_URL,
        backup_url: str | None | object = _DEFAULT,
        timeout: Timeout = (3.05, 10.0),
        user_agent: str = "complaint-console-wechatpay/0.1",
        pool_maxsize: int = 10,
        proxies: dict[str, str] | None = None,
        auto_refresh_certificates: bool = True,
        certificate_refresh_interval: float = 60.0,
        clock: Callable[[], float] = time.time,
        on_success: Callable[[], None] | None = None,
    ) -> None:
        if backup_url is _DEFAULT:
            backup_url = PRODUCTION_BACKUP_URL if base_url == PRODUCTION_URL else None
        self.credentials = credentials
        self.verifier = verifier
        self.signer = Signer(credentials, clock=clock)
        self.transport = Transport(
            base_url=base_url,
            backup_url=backup_url,  # type: ignore[arg-type]
            timeout=timeout,
            pool_maxsize=pool_maxsize,
            proxies=proxies,
        )
        self.user_agent = user_agent
        self._auto_refresh = auto_refresh_certificates
        self._refresh_interval = certificate_refresh_interval
        self._refresh_lock = threading.RLock()
        self._last_refresh: float | None = None
        self._on_success = on_success  # told of every 2xx (verified when verification applies)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- complaints ---------------------------------------------------------

    def iter_complaints(
        self,
        begin: date,
        end: date,
        complainted_mchid: str | None = None,
        page_size: int = 50,
    ) -> Iterator[Complaint]:
        """Every complaint created between `begin` and `end` (both inclusive), page by page and
        30-day window by window. Each complaint is yielded once even if pages shift meanwhile."""
        check_range("page_size", page_size, 1, 50)
        seen: set[str] = set()
        for start, stop in date_windows(begin, end):
            params = [("begin_date", start.isoformat()), ("end_date", stop.isoformat())]
            if complainted_mchid:
                params.append(("complainted_mchid", complainted_mchid))
            for item in self._pages(COMPLAINTS, params, page_size):
                complaint = parse_model(Complaint, item)
                if complaint.complaint_id not in seen:
                    seen.add(complaint.complaint_id)
                    yield complaint

    def get_complaint(self, complaint_id: str) -> Complaint:
        response = self._call("GET", complaint_path(complaint_id))
        return parse_model(Complaint, parse_json(response))

    def iter_negotiation_history(
        self, complaint_id: str, page_size: int = 100
    ) -> Iterator[HistoryEntry]:
        check_range("page_size", page_size, 1, 300)
        path = complaint_path(complaint_id, "negotiation-historys")
        for item in self._pages(path, [], page_size):
            yield parse_model(HistoryEntry, item)

    def respond(
        self,
        complaint_id: str,
        *,
        complainted_mchid: str,
        response_content: str,
        response_images: Sequence[str] = (),
        jump_url: str | None = None,
        jump_url_text: str | None = None,
        mini_program_jump_info: Mapping[str, str] | None = None,
    ) -> None:
        if not response_content or len(response_content) > 500:
            raise InvalidArgumentError("response_content must have 1 to 500 characters")
        if len(response_content) > 200:
            logger.warning("response_content over 200 characters: older WeChat rules reject it")
        check_media_ids("response_images", response_images)
        if (jump_url is None) != (jump_url_text is None):
            raise InvalidArgumentError("jump_url and jump_url_text must be given together")
        if jump_url is not None and not jump_url.startswith("https://"):
            raise InvalidArgumentError("jump_url must be an https:// URL")
        body = {
            "complainted_mchid": complainted_mchid,
            "response_content": response_content,
            "response_images": list(response_images) or None,
            "jump_url": jump_url,
            "jump_url_text": jump_url_text,
            "mini_program_jump_info": dict(mini_program_jump_info)
            if mini_program_jump_info
            else None,
        }
        self._call("POST", complaint_path(complaint_id, "response"), body=dump_json(body))

    def respond_immediate_service(
        self,
        complaint_id: str,
        *,
        complainted_mchid: str,
        message: Mapping[str, Any],
        idempotent_id: str,
    ) -> str:
        """Reply in the NormalMessage format (§3.5); return WeChat's log_id. Resending with the
        same idempotent_id is safe: WeChat processes it once."""
        if not idempotent_id or len(idempotent_id) > 128:
            raise InvalidArgumentError("idempotent_id must have 1 to 128 characters")
        if hasattr(message, "model_dump"):  # a pydantic NormalMessage
            message = message.model_dump(mode="json", exclude_none=True)
        body = {
            "complainted_mchid": complainted_mchid,
            "message": message,
            "idempotent_id": idempotent_id,
        }
        path = complaint_path(complaint_id, "response-immediate-service")
        response = self._call("POST", path, body=dump_json(body))
        log_id = parse_json(response).get("log_id")
        if not isinstance(log_id, str) or not log_id:
            raise unexpected(response, "immediate-service reply returned no log_id")
        return log_id

    def complete(self, complaint_id: str, *, complainted_mchid: str) -> None:
        body = dump_json({"complainted_mchid": complainted_mchid})
        self._call("POST", complaint_path(complaint_id, "complete"), body=body)

    def update_refund_progress(
        self,
        complaint_id: str,
        *,
        action: str,
        launch_refund_day: int | None = None,
        reject_reason: str | None = None,
        reject_media_list: Sequence[str] = (),
        remark: str | None = None,
    ) -> None:
        if action not in ("APPROVE", "REJECT"):
            raise InvalidArgumentError("action must be APPROVE or REJECT")
        if action == "REJECT" and launch_refund_day is not None:
            raise InvalidArgumentError("launch_refund_day is only allowed with APPROVE")
        if launch_refund_day is not None and launch_refund_day < 0:
            raise InvalidArgumentError("launch_refund_day must be 0 (today) or more working days")
        check_media_ids("reject_media_list", reject_media_list)
        body = {
            "action": action,
            "launch_refund_day": launch_refund_day,
            "reject_reason": reject_reason,
            "reject_media_list": list(reject_media_list) or None,
            "remark": remark,
        }
        path = complaint_path(complaint_id, "update-refund-progress")
        self._call("POST", path, body=dump_json(body))

    # --- notification URL ---------------------------------------------------

    def create_notification_url(self, url: str) -> NotificationUrl:
        return self._notification_url("POST", url)

    def update_notification_url(self, url: str) -> NotificationUrl:
        return self._notification_url("PUT", url)

    def get_notification_url(self) -> NotificationUrl:
        return parse_model(NotificationUrl, parse_json(self._call("GET", NOTIFICATIONS)))

    def delete_notification_url(self) -> None:
        self._call("DELETE", NOTIFICATIONS)

    def _notification_url(self, method: str, url: str) -> NotificationUrl:
        parts = urlsplit(url)
        # WeChat Pay takes https only; http is let through for loopback hosts (the sandbox).
        secure = parts.scheme == "https" or (
            parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
        )
        if not secure or not parts.hostname or parts.query or len(url) > 255:
            raise InvalidArgumentError(
                "notification URL must be https://, at most 255 characters, without a query"
            )
        response = self._call(method, NOTIFICATIONS, body=dump_json({"url": url}))
        return parse_model(NotificationUrl, parse_json(response))

    # --- platform certificates ---------------------------------------------

    def refresh_platform_certificates(self) -> list[str]:
        """Download platform certificates, decrypt them with the APIv3 key, verify the response
        with them (or a key we already trust) and add them to the verifier. Return the serials."""
        with self._refresh_lock:
            self._last_refresh = time.monotonic()
            response = self._call("GET", CERTIFICATES, verify=False)
            pems = [
                self._decrypt_certificate(item) for item in parse_json(response).get("data") or []
            ]
            candidate = Verifier(certificates=pems, clock=self.verifier.clock)
            serial = response.headers.get("Wechatpay-Serial", "")
            checker = self.verifier if self.verifier.knows(serial) else candidate
            checker.verify(response.headers, response.body, request_id=response.request_id)
            serials = [self.verifier.add_certificate(pem) for pem in pems]
            logger.info("platform certificates loaded: %s", ", ".join(serials))
            return serials

    def _decrypt_certificate(self, item: Mapping[str, Any]) -> str:
        sealed = item.get("encrypt_certificate") or {}
        try:
            pem = crypto.aead_decrypt(
                self.credentials.apiv3_key,
                sealed.get("nonce", ""),
                sealed.get("associated_data") or "",
                sealed.get("ciphertext", ""),
            ).decode("ascii")
            crypto.load_certificate(pem)
        except (crypto.CryptoError, UnicodeDecodeError) as exc:
            raise ApiError(
                200,
                "UNEXPECTED_RESPONSE",
                f"platform certificate {item.get('serial_no', '?')} does not decrypt to a PEM "
                f"certificate with this merchant's APIv3 key: {exc}",
            ) from exc
        return pem

    def knows_serial(self, serial: str) -> bool:
        """Whether `serial` verifies with this client's verifier, downloading the platform
        certificates once (at most once per refresh interval) when it is an unknown certificate
        serial: WeChat Pay adds a new certificate before the old one expires."""
        return self.verifier.knows(serial) or self._maybe_refresh(serial)

    def _maybe_refresh(self, serial: str) -> bool:
        """Refresh once for an unknown certificate serial, at most once per interval."""
        if not self._auto_refresh or serial.startswith(crypto.PUBLIC_KEY_ID_PREFIX):
            return False
        with self._refresh_lock:  # one thread downloads; the others then see its result
            if self.verifier.knows(serial):
                return True
            last = self._last_refresh
            if last is not None and time.monotonic() - last < self._refresh_interval:
                return False
            self.refresh_platform_certificates()
        return self.verifier.knows(serial)

    # --- plumbing -------------------------------------------------------------

    def build_headers(
        self,
        method: str,
        target: str,
        *,
        sign_body: bytes = b"",
        content_type: str | None = None,
        accept: str = "application/json",
    ) -> dict[str, str]:
        """Headers of a signed request for `target` (already as on the wire)."""
        signed = self.signer.sign(method, target, sign_body)
        headers = {
            "Authorization": signed.authorization,
            "Accept": accept,
            "User-Agent": self.user_agent,
        }
        if content_type:
            headers["Content-Type"] = content_type
        serial = self.verifier.preferred_serial
        if serial:
            headers["Wechatpay-Serial"] = serial
        return headers

    def _call(
        self,
        method: str,
        target: str,
        *,
        body: bytes | None = None,
        sign_body: bytes | None = None,
        content_type: str | None = None,
        accept: str = "application/json",
        verify: bool = True,
    ) -> RawResponse:
        target = wire_target(target)
        if body is not None and content_type is None:
            content_type = "application/json"
        headers = self.build_headers(
            method,
            target,
            sign_body=(body or b"") if sign_body is None else sign_body,
            content_type=content_type,
            accept=accept,
        )
        response = self.transport.send(method, target, headers, body)
        info = self._recorded(
            CallInfo(
                method,
                target.partition("?")[0],
                response.status,
                response.request_id or "",
                response.duration_ms,
            )
        )
        try:
            if not 200 <= response.status < 300:
                raise api_error(response)
            if verify:
                self._verify(response)
        except WechatPayError as exc:
            exc.call = info
            raise
        if self._on_success is not None:
            self._on_success()
        return response

    def _verify(self, response: RawResponse) -> None:
        try:
            self.verifier.verify(response.headers, response.body, request_id=response.request_id)
        except UnknownSerialError:
            serial = response.headers.get("Wechatpay-Serial", "")
            if not self._maybe_refresh(serial):
                raise
            self.verifier.verify(response.headers, response.body, request_id=response.request_id)

    def _pages(
        self, path: str, params: list[tuple[str, str]], limit: int
    ) -> Iterator[dict[str, Any]]:
        offset = 0
        total: int | None = None
        while True:
            query = urlencode([("limit", limit), ("offset", offset), *params])
            page = parse_json(self._call("GET", f"{path}?{query}"))
            data = page.get("data") or []
            if offset == 0 and isinstance(page.get("total_count"), int):
                total = page["total_count"]
            yield from data
            offset += len(data)
            if not data or (total is not None and offset >= total):
                return
            if total is None and len(data) < limit:
                return
