"""Every setting the code reads is declared: each environment variable the settings read is in
.env.example, and every `settings.NAME` an app reads with a fallback is set in settings/base.py."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
APPS = ("console", "merchants", "complaints", "messaging", "automation", "devtools")
TEST_ONLY = {"TEST_CONSOLE_PUBLIC_URL"}  # set by the test settings for their own processes


def env_names() -> set[str]:
    text = "\n".join(p.read_text() for p in (ROOT / "console" / "settings").glob("*.py"))
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', text)) - TEST_ONLY


def test_every_environment_variable_the_settings_read_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, flags=re.M))
    assert env_names() - listed == set()


def test_every_setting_read_with_a_fallback_is_declared():
    read = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            read |= set(re.findall(r'getattr\(settings, "([A-Z][A-Z0-9_]*)"', path.read_text()))
    assert {name for name in read if not hasattr(settings, name)} == set()
