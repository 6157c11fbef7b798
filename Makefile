# Casework: `make run` serves the demo, `make test` runs every check. Both set up what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000

# Development mode unless the environment says otherwise (production: CASEWORK_DEBUG=0).
export CASEWORK_DEBUG ?= 1

.PHONY: setup run test lint typecheck browser bench lock clean messages

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Casework needs Python 3.11 (found %d.%d); set PYTHON=python3.11" % sys.version_info[:2])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing pinned dependencies into $(VENV) ..."
	@$(BIN)/pip install -qq --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@$(BIN)/pip install -qq --disable-pip-version-check --no-deps --no-build-isolation -e .
	@scripts/ensure-pango
	@rm -f $(VENV)/.installed-*
	@touch $@

# The job worker runs beside the server and stops with it.
run: setup
	@$(BIN)/casework migrate --noinput
	@$(BIN)/casework demo --if-empty
	@$(BIN)/casework worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/casework runserver $(HOST):$(PORT)

test: setup browser lint
	@$(BIN)/casework check --fail-level WARNING
	@$(BIN)/casework makemigrations --check --dry-run
	@$(BIN)/casework spectacular --validate --fail-on-warn --file /dev/null
	@$(BIN)/pytest -n auto --dist worksteal

lint: setup
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy

# mypy alone (configuration in pyproject.toml); `make lint`, and so `make test`, runs it too.
typecheck: setup
	@$(BIN)/mypy

browser:
	@scripts/ensure-chromium

bench: setup
	@$(BIN)/python -m benchmarks

# Regenerate requirements.lock after changing dependencies in pyproject.toml.
lock:
	@test -x $(VENV)-tools/bin/pip-compile || ($(PYTHON) -m venv $(VENV)-tools && $(VENV)-tools/bin/pip install --quiet pip-tools==7.6.2)
	@$(VENV)-tools/bin/pip-compile --quiet --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev --strip-extras -o requirements.lock pyproject.toml

messages: setup
	@cd casework && ../$(BIN)/casework makemessages --all --ignore 'static/vendor/*'

clean:
	rm -rf $(VENV) $(VENV)-tools var/static
