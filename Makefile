# Oversight — every target is idempotent; `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_ENV := DEBUG=1 HTTPS=0
# `make run PORT=8001` serves on another port.
PORT ?= 8000
PYTEST_ARGS ?= -n 2

.DEFAULT_GOAL := help
.PHONY: help run test test-browser check bench demo assets install

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed (PYTHON=$(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static_build/oversight.css: node_modules/.installed $(wildcard assets/*.scss)
	mkdir -p static_build
	npm run --silent build

install: $(BIN)/.installed assets ## Create .venv and install everything

assets: static_build/oversight.css ## Build the GOV.UK Frontend stylesheet

run: install ## Start the site on SQLite with the demo authority loaded, and the export worker
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --if-empty
	@# The background-task worker (large Excel exports) runs beside the server and stops with it.
	$(RUN_ENV) $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

demo: install ## Rebuild the demo authority from scratch (drops existing data)
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --reset

test: install ## Run the whole test suite (PostgreSQL when DATABASE_URL points at one)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: install ## Run only the browser tests (Chromium)
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

check: install ## Lint (ruff), type-check (mypy) and check migrations are up to date
	$(BIN)/ruff check .
	SECRET_KEY=check-only $(BIN)/mypy oversight supervision decisions dashboards
	SECRET_KEY=check-only $(BIN)/python manage.py makemigrations --check --dry-run

bench: install ## Run the benchmarks and print a table (not part of make test)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/export_bench.py
	$(BIN)/python benchmarks/import_bench.py
