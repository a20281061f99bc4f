"""Production static files carry content hashes, ES module imports included, so a changed JS
controller is a new URL all the way from the page's entry point."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings

from tests.console.test_settings import run_manage

IMPORT = re.compile(
    r"""(?:import|export)\b[^;"']*?from\s*["']([./][^"']+)["']|import\s*["']([./][^"']+)["']"""
)
MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "console.storage.ConsoleStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST_STORAGE):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


def manifest(root: Path) -> dict[str, str]:
    return json.loads((root / "staticfiles.json").read_text())["paths"]


def test_production_uses_the_manifest_storage():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])",
        SECRET_KEY="k" * 50,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )

    backend = result.stdout.splitlines()[-1] if result.stdout else result.stderr
    assert backend == "console.storage.ConsoleStaticFilesStorage"


def test_every_module_imports_the_hashed_names_of_the_modules_it_needs(collected):
    paths = manifest(collected)
    hashed = set(paths.values())
    modules = [name for name in paths if name.startswith("js/") and name.endswith(".js")]
    assert "js/controllers/composer_controller.js" in modules

    imported = set()
    for name in modules:
        source = (collected / paths[name]).read_text()
        for match in IMPORT.finditer(source):
            relative = match.group(1) or match.group(2)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(paths[name]), relative))
            assert target in hashed, f"{name} imports {target}, not a hashed file"
            imported.add(target)
    assert paths["js/controllers/composer_controller.js"] in imported
    assert paths["vendor/stimulus-3.2.2.js"] in imported


def test_pages_link_the_hashed_entry_point(collected, client):
    with override_settings(STATIC_ROOT=collected, STORAGES=MANIFEST_STORAGE):
        page = client.get("/accounts/login/").content.decode()
        entry = static("js/app.js")

    assert entry == "/static/" + manifest(collected)["js/app.js"]
    assert re.fullmatch(r"/static/js/app\.[0-9a-f]{12}\.js", entry)
    assert f'src="{entry}"' in page
