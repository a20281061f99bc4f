"""The control API under /_sandbox/: unsigned JSON for tests and demos, plus the HTML pages."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox import complaints, control_refunds, pages, user_actions
from sandbox.uploads import media_lookup
from sandbox.web import ApiError, Request, Response
from wechatpay import crypto

if TYPE_CHECKING:
    from sandbox.state import State

Handler = Callable[[Request, re.Match[str]], Response]
APIV3_KEY = re.compile(r"^[\x21-\x7e]{32}$")
MCHID = re.compile(r"^\d{6,32}$")


def _require(body: Any, name: str, kind: type | tuple[type, ...]) -> Any:
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, kind) or value in ("", None):
        raise ApiError(400, "PARAM_ERROR", f"{name} is required")
    return value


class ControlApi:
    def __init__(self, app: State) -> None:
        self.app = app
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/_sandbox/?"), self.index_page),
            ("GET", re.compile(r"/_sandbox/health"), self.health),
            ("POST", re.compile(r"/_sandbox/merchants"), self.register_merchant),
            ("GET", re.compile(r"/_sandbox/merchants"), self.list_merchants),
            ("POST", re.compile(r"/_sandbox/complaints"), self.create_complaints),
            ("POST", re.compile(r"/_sandbox/complaints/new"), self.create_from_page),
            ("GET", re.compile(r"/_sandbox/complaints/(\d+)"), self.complaint_page),
            ("POST", re.compile(r"/_sandbox/complaints/(\d+)/user-actions"), self.user_action),
            ("POST", re.compile(r"/_sandbox/complaints/(\d+)/act"), self.act_from_page),
            ("GET", re.compile(r"/_sandbox/replies"), self.replies),
            ("GET", re.compile(r"/_sandbox/notifications"), self.notifications),
            ("POST", re.compile(r"/_sandbox/faults"), self.add_faults),
            ("GET", re.compile(r"/_sandbox/faults"), self.list_faults),
            ("DELETE", re.compile(r"/_sandbox/faults"), self.clear_faults),
            ("POST", re.compile(r"/_sandbox/settings"), self.update_settings),
            ("GET", re.compile(r"/_sandbox/settings"), self.get_settings),
            ("GET", re.compile(r"/_sandbox/media/([^/?]+)"), self.media),
            ("GET", re.compile(re.escape(pages.STYLE_PATH)), lambda request, _: pages.stylesheet()),
        ]
        for method, path, handler in control_refunds.ROUTES:
            bound = functools.partial(handler, app)
            self.routes.append((method, re.compile(path), bound))

    def handle(self, request: Request) -> Response:
        path_matched = False
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(request.path)
            if match:
                path_matched = True
                if method == request.method:
                    return handler(request, match)
        if path_matched:
            raise ApiError(405, "METHOD_NOT_ALLOWED", "method not allowed on this path")
        raise ApiError(404, "NOT_FOUND", f"no control endpoint {request.path}")

    # --- merchants ------------------------------------------------------------

    def register_merchant(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json()
        mchid = _require(body, "mchid", str)
        if not MCHID.match(mchid):
            raise ApiError(400, "PARAM_ERROR", "mchid must be 6-32 digits")
        apiv3_key = _require(body, "apiv3_key", str)
        if not APIV3_KEY.match(apiv3_key):
            raise ApiError(400, "PARAM_ERROR", "apiv3_key must be 32 printable ASCII characters")
        kind = body.get("kind", "merchant")
        if kind not in ("merchant", "partner"):
            raise ApiError(400, "PARAM_ERROR", "kind must be merchant or partner")
        sub_mchids = body.get("sub_mchids", [])
        if not (isinstance(sub_mchids, list) and all(isinstance(s, str) for s in sub_mchids)):
            raise ApiError(400, "PARAM_ERROR", "sub_mchids must be a list of strings")
        self.app.store.merchant_save(
            mchid=mchid,
            kind=kind,
            apiv3_key=apiv3_key,
            sub_mchids=sub_mchids,
            keys={self._serial(body): self._public_key_pem(body)},
        )
        return Response.json(200, self._platform_info(mchid))

    @staticmethod
    def _public_key_pem(body: dict[str, Any]) -> str:
        pem = body.get("certificate_pem") or body.get("public_key_pem")
        if not isinstance(pem, str):
            raise ApiError(400, "PARAM_ERROR", "certificate_pem or public_key_pem is required")
        try:
            return crypto.public_key_pem(crypto.load_public_key(pem))
        except crypto.CryptoError as exc:
            raise ApiError(400, "PARAM_ERROR", f"merchant key: {exc}") from exc

    @staticmethod
    def _serial(body: dict[str, Any]) -> str:
        serial = body.get("certificate_serial")
        if isinstance(serial, str) and re.fullmatch(r"[0-9A-Fa-f]{1,64}", serial):
            return serial.upper()
        if isinstance(body.get("certificate_pem"), str) and not serial:
            try:
                return crypto.certificate_serial(crypto.load_certificate(body["certificate_pem"]))
            except crypto.CryptoError as exc:
                raise ApiError(400, "PARAM_ERROR", f"certificate_pem: {exc}") from exc
        raise ApiError(400, "PARAM_ERROR", "certificate_serial (hex) is required")

    def _platform_info(self, mchid: str) -> dict[str, Any]:
        platform = self.app.platform
        merchant = self.app.store.merchant(mchid)
        return {
            "mchid": mchid,
            "merchant_certificate_serials": sorted(merchant.keys) if merchant else [],
            "public_key_id": platform.public_key_id,
            "public_key_pem": platform.public_key_pem,
            "certificate_serial": platform.certificate_serial,
            "certificate_pem": platform.certificate_pem,
            "notify_url": self.app.store.notify_url(mchid),
        }

    def list_merchants(self, request: Request, _: re.Match[str]) -> Response:
        return Response.json(
            200, {"data": [self._platform_info(m) for m in self.app.store.merchants()]}
        )

    # --- complaints and the user's side ---------------------------------------

    def create_complaints(self, request: Request, _: re.Match[str]) -> Response:
        return Response.json(200, {"complaint_ids": self._create(request.json())})

    def create_from_page(self, request: Request, _: re.Match[str]) -> Response:
        """The list page's form: a demo creates complaints as a consumer would file them."""
        fields = request.form()
        body: dict[str, Any] = {
            "complainted_mchid": fields.get("complainted_mchid", ""),
            "count": int(fields["count"]) if fields.get("count", "").isdigit() else 0,
            "need_immediate_service": fields.get("need_immediate_service") == "on",
            "problem_type": fields.get("problem_type") or None,
        }
        try:
            self._create(body)
        except ApiError as err:
            return pages.html(pages.index(self.app, None, error=err.message), status=err.status)
        return Response(303, b"", {"Location": "/_sandbox/"})

    def _create(self, body: Any) -> list[str]:
        mchid = _require(body, "complainted_mchid", str)
        count = body.get("count", 1)
        if not isinstance(count, int) or not 1 <= count <= 500:
            raise ApiError(400, "PARAM_ERROR", "count must be an integer in [1, 500]")
        problem_type = body.get("problem_type")
        if problem_type not in (None, "REFUND", "SERVICE_NOT_WORK", "OTHERS"):
            raise ApiError(400, "PARAM_ERROR", "problem_type: REFUND, SERVICE_NOT_WORK or OTHERS")
        overrides = body.get("overrides", {})
        if not isinstance(overrides, dict):
            raise ApiError(400, "PARAM_ERROR", "overrides must be an object")
        return complaints.create_complaints(
            self.app,
            mchid=mchid,
            count=count,
            need_immediate_service=bool(body.get("need_immediate_service", False)),
            problem_type=problem_type,
            overrides=overrides,
        )

    def user_action(self, request: Request, match: re.Match[str]) -> Response:
        entry = user_actions.perform(self.app, match.group(1), request.json())
        return Response.json(200, entry)

    def replies(self, request: Request, _: re.Match[str]) -> Response:
        data = self.app.store.replies(
            request.query.get("mchid") or None, request.query.get("complaint_id") or None
        )
        return Response.json(200, {"data": data})

    def notifications(self, request: Request, _: re.Match[str]) -> Response:
        data = self.app.notifier.describe(
            request.query.get("mchid") or None, request.query.get("complaint_id") or None
        )
        return Response.json(200, {"data": data})

    # --- faults, settings, health ---------------------------------------------

    def add_faults(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json()
        specs = body.get("faults", [body]) if isinstance(body, dict) else body
        if not isinstance(specs, list):
            raise ApiError(400, "PARAM_ERROR", 'send a fault object or {"faults": [...]}')
        return Response.json(200, {"faults": self.app.faults.add(specs)})

    def list_faults(self, request: Request, _: re.Match[str]) -> Response:
        return Response.json(200, {"faults": self.app.faults.describe()})

    def clear_faults(self, request: Request, _: re.Match[str]) -> Response:
        self.app.faults.clear()
        return Response.json(200, {"faults": []})

    def update_settings(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json()
        if not isinstance(body, dict):
            raise ApiError(400, "PARAM_ERROR", "settings must be a JSON object")
        self.app.settings.update(body)
        if "rate_limits" in body:
            self.app.rate_limiter.reset()
        self.app.notifier.poke()
        return Response.json(200, self.app.settings.as_dict())

    def get_settings(self, request: Request, _: re.Match[str]) -> Response:
        return Response.json(200, self.app.settings.as_dict())

    def health(self, request: Request, _: re.Match[str]) -> Response:
        platform = self.app.platform
        self.app.store.query("SELECT 1")  # a store that is stuck must fail the health check
        return Response.json(
            200,
            {
                "status": "ok",
                "public_key_id": platform.public_key_id,
                "certificate_serial": platform.certificate_serial,
                "settings": self.app.settings.as_dict(),
            },
        )

    # --- pages ------------------------------------------------------------------

    def index_page(self, request: Request, _: re.Match[str]) -> Response:
        return pages.html(pages.index(self.app, request.query.get("mchid")), title="投诉单列表")

    def complaint_page(self, request: Request, match: re.Match[str]) -> Response:
        complaint_id = match.group(1)
        return pages.html(
            pages.conversation(self.app, complaint_id), title=f"投诉单 {complaint_id}"
        )

    def act_from_page(self, request: Request, match: re.Match[str]) -> Response:
        """The conversation page's forms: act as the consumer, then show the page again."""
        complaint_id = match.group(1)
        fields: dict[str, Any] = request.form()
        if fields.get("score", "").isdigit():
            fields["score"] = int(fields["score"])
        try:
            user_actions.perform(self.app, complaint_id, fields)
        except ApiError as err:
            page = pages.conversation(self.app, complaint_id, error=err.message)
            return pages.html(page, title=f"投诉单 {complaint_id}", status=err.status)
        return Response(303, b"", {"Location": f"/_sandbox/complaints/{complaint_id}"})

    def media(self, request: Request, match: re.Match[str]) -> Response:
        row = media_lookup(self.app, match.group(1))
        if row is None:
            raise ApiError(404, "NOT_FOUND", "no such media")
        headers = {"Content-Type": row["content_type"], **pages.PAGE_HEADERS}
        return Response(200, bytes(row["data"]), headers)
