from __future__ import annotations

from typing import Any


def perform(app: Any, complaint_id: str, body: Any) -> dict:
    raise NotImplementedError
