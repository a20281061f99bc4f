# Complaint Console — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements/dev.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
# The tools that install and lock, pinned here (everything else is pinned in requirements/*.lock).
PIP_VERSION := 26.3
UV_VERSION := 0.13.9
LOCK_ARGS := --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	--custom-compile-command "make lock" --quiet

.PHONY: run test install lock migrate demo lint format messages bench-client bench-queue bench-delivery bench-live clean

## Installs exactly what requirements/dev.lock lists (every transitive dependency, hash-checked),
## then the project itself without dependencies; `pip check` fails if the lock is stale.
$(STAMP): pyproject.toml $(LOCK)
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (Python 3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet pip==$(PIP_VERSION)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check || { echo "$(LOCK) is out of date with pyproject.toml: run make lock"; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## Re-resolves every dependency from pyproject.toml (runtime, and runtime + dev) into the hash-pinned
## lock files. Run after changing a pin in pyproject.toml, then `make install`.
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml requirements/build.in $(LOCK_ARGS) -o requirements/base.lock
	$(VENV)/bin/uv pip compile pyproject.toml requirements/build.in --extra dev $(LOCK_ARGS) -o $(LOCK)

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py search_index --missing

demo: migrate
	$(PY) manage.py demo_setup --start-sandbox

## Runs the whole console in the foreground: web, worker, beat and the WeChat Pay sandbox.
run: demo
	@echo "Console: http://127.0.0.1:8000/  ·  Sandbox: http://127.0.0.1:8090/_sandbox/  ·  Ctrl-C stops all"
	$(VENV)/bin/honcho start -f Procfile

## Installs what the tests need (system packages included), lints, and runs every test against
## PostgreSQL and Redis (DATABASE_URL / REDIS_URL override).
test: install
	.ci/system-packages
	$(PY) -m tests.check_services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	cd $(CURDIR) && $(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=sandbox --no-obsolete
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

bench-client: install
	$(PY) bench/client.py

bench-queue: install
	$(PY) bench/queue.py

bench-delivery: install
	$(PY) bench/delivery.py

bench-live: install
	$(PY) bench/live.py

clean:
	rm -rf var/celery var/cache
