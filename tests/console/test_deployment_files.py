"""docker compose cannot run here (no engine), so its file is checked by parsing it."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_every_process_on_postgres_and_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert {"db", "redis", "web", "worker", "beat", "sandbox"} <= set(services)
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
    assert "celery -A console worker" in services["worker"]["command"]
    assert "celery -A console beat" in services["beat"]["command"]


def test_every_variable_the_settings_read_is_documented_in_env_example():
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }

    for variable in (
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "FIELD_ENCRYPTION_KEYS",
        "ALLOWED_HOSTS",
        "DEBUG",
        "CONSOLE_PUBLIC_URL",
        "SANDBOX_URL",
    ):
        assert variable in documented


def test_procfile_starts_web_worker_beat_and_sandbox():
    processes = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines())

    assert set(processes) == {"web", "worker", "beat", "sandbox"}
    assert "python -m sandbox" in processes["sandbox"]


def _locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a `make lock` file."""
    locked: dict[str, tuple[str, list[str]]] = {}
    name = ""
    for line in path.read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, _, version = line.split(" ")[0].partition("==")
            locked[_normal(name)] = (version, [])
        elif line.strip().startswith("--hash=sha256:"):
            locked[_normal(name)][1].append(line.strip().removesuffix(" \\"))
    return locked


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-").split("[")[0]


def _pins(requirements: list[str]) -> dict[str, str]:
    return {
        _normal(name): version for name, _, version in (r.partition("==") for r in requirements)
    }


def test_lock_files_pin_every_dependency_of_pyproject_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pins(project["dependencies"])
    dev = runtime | _pins(project["optional-dependencies"]["dev"])

    for lock, wanted in (("base.lock", runtime), ("dev.lock", dev)):
        locked = _locked(ROOT / "requirements" / lock)
        for name, version in wanted.items():
            assert locked.get(name, ("missing",))[0] == version, f"{lock}: {name} (make lock)"
        assert "setuptools" in locked  # the build backend, for --no-build-isolation
        assert all(hashes for _, hashes in locked.values()), f"{lock}: a pin without hashes"
    assert set(_locked(ROOT / "requirements" / "base.lock")) < set(
        _locked(ROOT / "requirements" / "dev.lock")
    )


def test_make_and_docker_install_only_what_the_lock_says():
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "--require-hashes -r $(LOCK)" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    assert "--require-hashes -r requirements/base.lock" in dockerfile
    assert "pip install --no-cache-dir --no-deps --no-build-isolation ." in dockerfile
