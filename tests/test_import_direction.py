"""Apps depend one way (the contracts in .importlinter, run by `make test`), and nothing dodges
them: no function-level import of another app, except where Django wants it (AppConfig.ready)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("console", "merchants", "complaints", "messaging", "refunds", "automation", "devtools")


def _imported_app(node: ast.AST) -> str | None:
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return node.module.split(".")[0]
    if isinstance(node, ast.Import):
        return node.names[0].name.split(".")[0]
    return None


def function_level_imports_of_other_apps() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                if function.name == "ready" and path.name == "apps.py":
                    continue  # where an app registers with the apps below it
                for node in ast.walk(function):
                    other = _imported_app(node)
                    if other in APPS and other != app:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {other}")
    return found


def test_no_function_level_import_of_another_app():
    assert function_level_imports_of_other_apps() == []


def test_the_import_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
