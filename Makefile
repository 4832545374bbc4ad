# teamlens dev stack. `make up` brings everything up with the demo data; `make test` runs all tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.teamlens-installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_DISABLE_CLI_TELEMETRY := 1

.PHONY: up down reset status install test test-unit test-integration synth lint bench clean

# The project venv: rebuilt when a requirements file changes; a half-built one lacks the stamp.
$(STAMP): requirements.txt $(wildcard requirements/*.txt) pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "==> installing Python requirements into $(VENV)"
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt 2> >(grep -v "^WARNING: Location" >&2)
	@$(PY) -m pip install -q --disable-pip-version-check --no-deps -e . 2> >(grep -v "^WARNING: Location" >&2)
	@touch $(STAMP)

install: $(STAMP)
	@$(PY) -m devstack install

up: $(STAMP)
	@$(PY) -m devstack up

down:
	@test -x $(PY) && $(PY) -m devstack down || echo "nothing to stop (no venv)"

# The only way to lose the stack's data on purpose: stop, then delete the snapshot, raw data and index.
reset:
	@test -x $(PY) && $(PY) -m devstack down --wipe || echo "nothing to reset (no venv)"

status:
	@test -x $(PY) && $(PY) -m devstack status || echo "not installed"

test: $(STAMP)
	@$(PY) -m devstack install
	@$(PY) -m devstack browser
	@$(PY) -m pytest

test-unit: $(STAMP)
	@$(PY) -m pytest -m "not integration"

test-integration: $(STAMP)
	@$(PY) -m devstack install
	@$(PY) -m devstack browser
	@$(PY) -m pytest -m integration

synth: $(STAMP)
	@source $(VENV)/bin/activate && npx --no-install cdk synth --no-notices -q

# Static checks: ruff over the tree, mypy over the library (configured in pyproject.toml).
lint: $(STAMP)
	@$(PY) -m ruff check .
	@$(PY) -m mypy

bench: $(STAMP)
	@$(PY) -m bench.stack
