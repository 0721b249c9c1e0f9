# Two commands: `make run` and `make test`. Each sets up what it needs first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Parallel test workers, each with databases of its own (tests/conftest.py); 0 runs in-process.
PYTEST_WORKERS ?= 2
export FLASK_APP := wsgi
export WISHBOARD_CONFIG ?= development

.PHONY: run test install install-test migrate-check browsers clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: install, migrate, load the demo community into an empty database, serve with the scheduler
run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask wishboard seed-demo --if-empty
	$(BIN)/flask wishboard serve --host $(HOST) --port $(PORT)

# axe-core, which the browser tests inject into each page, from the npm registry (when npm is
# here; without it the browser tests say they were skipped and why).
node_modules/axe-core/axe.min.js: package.json
	@if command -v npm >/dev/null; then \
	  npm install --no-audit --no-fund --no-package-lock --loglevel=error; fi

## make test: install the test extras and run the suite (SQLite; PostgreSQL too with WISHBOARD_TEST_DATABASE_URL)
test: $(VENV)/.installed-test node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
