# Two commands do everything on a fresh machine: `make report` and `make test`.
# Each target first bootstraps .venv and installs the project (editable) with pinned versions.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup report test lint lab run lock clean git-filter

setup: $(STAMP) git-filter
	@# The helpers' bytecode, written even where PYTHONDONTWRITEBYTECODE is set (as on some CI machines): every
	@# kernel of a batch imports the helpers again between notebooks, and compiling them from source each time
	@# doubled that import. Files already compiled are skipped; Python ignores a file's bytecode once it is edited.
	@$(BIN)/python -m compileall -q src
	@# The notebooks' kernel, "jinshui" (helpers/kernel.py: encrypted sockets, so no TCP warning in any run).
	@$(BIN)/python -m helpers.kernel >/dev/null

# Exploring in JupyterLab must never dirty what is committed: git stores notebooks through nbstripout
# (outputs and execution counts stripped, cell ids kept), whatever JupyterLab's autosave wrote. Only inside
# a git work tree; the filter lives in .git/config, .gitattributes (committed) names it.
# JupyterLab's save also writes the kernel's language_info (version, lexer, mimetype …): stripped too, so the
# committed {"name": "python"} stays as it is.
NBSTRIPOUT_EXTRA_KEYS := metadata.language_info.codemirror_mode metadata.language_info.file_extension \
  metadata.language_info.mimetype metadata.language_info.nbconvert_exporter metadata.language_info.pygments_lexer \
  metadata.language_info.version
git-filter: $(STAMP)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '"$(abspath $(BIN))/python" -m nbstripout --keep-id'; \
	  git config filter.nbstripout.smudge cat; \
	  git config filter.nbstripout.required true; \
	  git config filter.nbstripout.extrakeys '$(NBSTRIPOUT_EXTRA_KEYS)'; \
	  git config diff.ipynb.textconv '"$(abspath $(BIN))/python" -m nbstripout --keep-id -t'; \
	fi

# Re-install whenever the dependencies or their pins change. uv installs the pinned set in seconds (pip takes
# most of a minute): the uv on PATH, else one installed with pip into .venv-tools/ (once); pip when neither works.
# Bytecode is compiled for the project only (below): site-packages compiles itself on first import, and
# compiling all of it ahead would cost more than the modules a run imports.
UV_TOOLS := .venv-tools
# INSTALLER=pip forces the pip way (benchmarks/setup_benchmark.py compares the two).
INSTALLER ?= auto
$(STAMP): pyproject.toml constraints.txt
	@uv="$$(command -v uv || true)"; \
	if [ "$(INSTALLER)" = pip ]; then uv=; elif [ -z "$$uv" ] && [ -x $(UV_TOOLS)/bin/uv ]; then uv=$(UV_TOOLS)/bin/uv; fi; \
	if [ -z "$$uv" ] && [ "$(INSTALLER)" != pip ] && $(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(UV_TOOLS) uv \
	     >/dev/null 2>&1 && [ -x $(UV_TOOLS)/bin/uv ]; then uv=$(UV_TOOLS)/bin/uv; fi; \
	if [ -n "$$uv" ]; then \
	  echo "setting up $(VENV) with uv ($$uv)"; \
	  "$$uv" venv --quiet --allow-existing --python "$$(command -v $(PYTHON))" $(VENV) && \
	  "$$uv" pip install --quiet --python $(BIN)/python -c constraints.txt -e '.[test]'; \
	else \
	  echo "setting up $(VENV) with pip (uv is not available)"; \
	  $(PYTHON) -m venv $(VENV) && \
	  $(BIN)/python -m pip install --quiet --upgrade pip && \
	  $(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'; \
	fi
	touch $(STAMP)

report: setup
	$(BIN)/jinshui-report run

# Parallel on every core; tests that share a built report set stay on one worker (--dist loadgroup).
test: setup lint
	$(BIN)/python -m pytest -n auto --dist loadgroup

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# JupyterLab rooted at the project (notebooks/, data/ and the reports are all reachable). As root (common in
# containers) it needs --allow-root. Extra arguments: make lab ARGS="--port 9999 --no-browser".
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) $(ARGS)

# The command line with arguments, without typing .venv/bin: make run ARGS="--theme economy -p lang zh".
run: setup
	$(BIN)/jinshui-report run $(ARGS)

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
	rm -rf $(VENV) $(UV_TOOLS) reports .pytest_cache
