"""HTML pages (placeholder, replaced below)."""

from __future__ import annotations

from typing import Any

from sandbox.web import Response


def html(text: str) -> Response:
    return Response(200, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def index(app: Any, mchid: str | None) -> str:
    return "<h1>sandbox</h1>"


def conversation(app: Any, complaint_id: str) -> str:
    return "<h1>sandbox</h1>"
