"""System checks: run by every management command (migrate before the web starts, `check
--deploy` in the tests), so a dependency upgrade that needs a look stops the deploy at once."""

from __future__ import annotations

from typing import Any

import kombu
from django.core import checks

from console.broker import KOMBU_CHECKED, kombu_checked


@checks.register()
def kombu_release_checked(
    app_configs: Any = None, *, version: tuple | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """console/broker.py patches kombu internals and turns itself off on an unchecked release:
    the worker would then crash again when Redis restarts. Refuse that release loudly."""
    version = tuple(kombu.VERSION) if version is None else version
    if kombu_checked(version):
        return []
    release = ".".join(str(part) for part in version[:3])
    return [
        checks.Error(
            f"kombu {release} is not a release the broker workarounds in console/broker.py were "
            f"checked against {sorted(KOMBU_CHECKED)}.",
            hint="Run tests/delivery/test_fault_delivery.py and "
            "tests/console/test_filesystem_broker.py on it, then widen KOMBU_CHECKED.",
            id="console.E001",
        )
    ]
