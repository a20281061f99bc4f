from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote


def media_lookup(app: Any, raw_id: str) -> Any:
    return app.store.media_get(raw_id) or app.store.media_get(quote(unquote(raw_id), safe=""))
