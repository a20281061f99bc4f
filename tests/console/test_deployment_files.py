"""docker compose cannot run here (no engine), so its file is checked by parsing it."""

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
