# Two commands on a fresh machine:
#   make run   - install, migrate, seed the demo company, serve http://127.0.0.1:8000
#   make test  - install test tools, make sure PostgreSQL and Redis are up, run ruff, mypy, pytest
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/siop
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test install install-test services lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet '.[test]'

# Seeds only into an empty database; on later runs it just opens this month's cycle if missing.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "Serving on http://127.0.0.1:8000 - sign in with a login above (Ctrl+C to stop)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

services:
	@bash scripts/ensure_services.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install-test
	$(BIN)/mypy .

pytest: install-test services
	DATABASE_URL=$(PG_URL) SIOP_TEST_REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest

test: install-test services lint typecheck pytest

bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	@echo "Benchmarks live in benchmarks/; run e.g. $(BIN)/python benchmarks/forecast_m3.py"

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .mypy_cache .ruff_cache
