# Stoa: `make run` serves the site, `make test` proves it. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: install run lint format test bench clean

# Lint (mypy loads the settings) and tests run in production mode (DEBUG off, STOA_HTTPS on),
# where Stoa refuses to start without SECRET_KEY: they get a throwaway one unless one is set.
TEST_SECRET_KEY := stoa-tests-only-never-a-production-key-0123456789-abcdefghij
lint test: export SECRET_KEY := $(or $(SECRET_KEY),$(TEST_SECRET_KEY))

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Stoa needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Migrate, load the demo content into an empty database, make sure an admin exists, serve.
# STOA_HTTPS=0: a laptop serves plain http, so cookies must not be marked secure-only.
run: install
	STOA_HTTPS=0 $(BIN)/stoa migrate --noinput
	STOA_HTTPS=0 $(BIN)/stoa collectstatic --noinput --verbosity 0
	STOA_HTTPS=0 $(BIN)/stoa demo
	STOA_HTTPS=0 $(BIN)/stoa ensure_admin
	STOA_HTTPS=0 $(BIN)/stoa webcasts_code
	@echo "Serving http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@# The task worker sends the emails; it stops with the server (Ctrl-C). No control
	@# socket: two local instances (make run, make bench) must not share one. With
	@# REDIS_URL the queue is RQ's (settings.TASKS), and so is the worker.
	STOA_HTTPS=0 $(if $(REDIS_URL),$(BIN)/stoa rqworker --job-class django_tasks_rq.Job default email,$(BIN)/stoa db_worker --queue-name '*') & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	STOA_HTTPS=0 $(BIN)/gunicorn stoa.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--access-logfile - --forwarded-allow-ips 127.0.0.1 --no-control-socket

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy stoa
	@# No cache: the graph takes a fraction of a second, and a cache would be a stray directory.
	$(BIN)/lint-imports --no-cache --no-logo

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest exits 5 when it collects no test, and make treats that as a failure, as it should.
test: lint
	$(BIN)/pytest

# Not part of `make test`: serves the site with gunicorn and measures it with wrk.
# SCALE=large: the 20,000-post, 400,000-comment site of bench/large.py (built once, kept).
SCALE ?= small
bench: install
	$(BIN)/python bench/run.py --scale $(SCALE)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
