# Two commands do everything on a fresh machine: `make report` and `make test`.
# Each target first bootstraps .venv and installs the project (editable) with pinned versions.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup report test lint lab lock clean

setup: $(STAMP)

# Re-install whenever the dependencies or their pins change.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

report: setup
	$(BIN)/jinshui-report run

# Parallel on every core; tests that share a built report set stay on one worker (--dist loadgroup).
test: setup lint
	$(BIN)/python -m pytest -n auto --dist loadgroup

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks

# Regenerate the pins from a fresh resolution of pyproject.toml's ranges.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[test]'
	{ echo "# Exact versions of every package installed in .venv (make lock regenerates this file)."; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable; } > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) reports .pytest_cache
