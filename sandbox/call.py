"""One authenticated WeChat Pay API call, as the pipeline (api.py) hands it to a handler."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sandbox import uploads
from sandbox.store import Merchant
from sandbox.web import Request


@dataclass
class Call:
    request: Request
    merchant: Merchant
    serial: str
    base_url: str
    match: re.Match[str]
    complaint: tuple[dict[str, Any], str, dict[str, Any]] | None = None
    upload: uploads.Upload | None = None

    @property
    def complaint_id(self) -> str:
        return self.match.group(1)
