# Complaint Console — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install migrate demo lint format messages bench-client bench-queue bench-delivery bench-live clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (Python 3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

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
