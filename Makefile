# 医养通办 — the two commands of the README are `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-packages run test lint format bench schema clean-var

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: system-packages $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

system-packages:
	bash scripts/install-system-packages.sh

# Embedded set-up: SQLite under var/, Celery tasks run eagerly in the web process.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py seed_demo --sample-cases
	DEBUG=1 $(BIN)/python manage.py make_signing_keys
	@echo "医养通办: http://$(HOST):$(PORT)/  (log in with one of the accounts above)"
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest

# The habits the build checks: style and format, types where the rules live, the layers
# between apps, and that every model change has its migration.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/decisions.py

schema: install
	DEBUG=1 $(BIN)/python manage.py spectacular --file docs/openapi.yaml
