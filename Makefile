# Two commands for instructors and students:
#   make lab    create .venv from the lock file (once) and open JupyterLab on notebooks/
#   make test   the same environment, then unit tests plus nbval over every notebook
# Both skip installing when .venv is already up to date with the lock file.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-from-lock
NODE_STAMP := node_modules/.package-lock.json
UV_VERSION := 0.13.8
PORT ?= 8888
PYTEST_ARGS ?=
# JupyterLab refuses to start as root unless told to (containers, CI).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test install validate environment.yml lock notebooks exercises grade site bench rehearsal binder clean

# JupyterLab's settings for this course live in $(LAB_HOME), never in ~/.jupyter:
# no news pop-up over the lessons, and the lessons and exercises trusted.
# LAB_ARGS passes more options to JupyterLab, e.g. LAB_ARGS=--no-browser.
LAB_HOME ?= $(CURDIR)/$(VENV)/jupyter
LAB_ENV := JUPYTER_CONFIG_DIR="$(LAB_HOME)/config" JUPYTER_DATA_DIR="$(LAB_HOME)/data"
LAB_ARGS ?=

lab: $(STAMP)
	@$(BIN)/python -m russia_china.tools.lab --home "$(LAB_HOME)" notebooks/*.ipynb exercises/*.ipynb
	$(LAB_ENV) $(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) --ServerApp.root_dir=. \
		--ServerApp.default_url=/lab/tree/notebooks/00_introduction.ipynb $(ALLOW_ROOT) $(LAB_ARGS)

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -n auto --dist loadscope $(PYTEST_ARGS)

install: $(STAMP)

# axe-core for the accessibility tests, pinned in package-lock.json. Without npm
# those tests skip (locally) and say why.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility tests will skip"; fi

# uv installs in seconds where pip takes a minute; pip is the fallback.
# UV_COMPILE_BYTECODE: this machine sets PYTHONDONTWRITEBYTECODE, and without
# compiled bytecode every kernel start recompiles pandas.
# Progress: each step says what it does, and uv reports what it resolved and installed
# (with progress bars in a terminal). Measured times are in README.md.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: run make PYTHON=python3.12 (or similar)")'
	@echo "[1/3] creating $(VENV) and installing uv $(UV_VERSION)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); then \
		echo "[2/3] installing the locked packages (about 125)" && \
		UV_COMPILE_BYTECODE=1 $(BIN)/uv pip install --python $(BIN)/python -r requirements.lock && \
		echo "[3/3] installing the course's own package" && \
		$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . ; \
	else \
		echo "uv is unavailable here; installing with pip (slower, about a minute)"; \
		echo "[2/3] installing the locked packages" && \
		$(BIN)/python -m pip install -r requirements.lock && \
		echo "[3/3] installing the course's own package" && \
		$(BIN)/python -m pip install --quiet --no-deps -e . ; \
	fi
	@touch $(STAMP)
	@echo "environment ready in $(VENV)"

validate: $(STAMP)
	$(BIN)/russia-china validate

# Student notebooks in exercises/ and the hashed answer key, from solutions/.
exercises: $(STAMP)
	$(BIN)/russia-china exercises

# Grade a folder of submissions (one notebook or sub-folder per student) into grades/ASSIGNMENT/.
# GRADE_ARGS passes more options, e.g. GRADE_ARGS="--due 2026-12-01 --roster roster.csv".
SUBMISSIONS ?=
ASSIGNMENT ?=
GRADE_ARGS ?=
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder [ASSIGNMENT=02] [GRADE_ARGS=...]"; exit 2; }
	$(BIN)/russia-china grade "$(SUBMISSIONS)" $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT),) $(GRADE_ARGS)

# One teaching week on a real JupyterHub on 127.0.0.1 (8 students and an instructor): distribute by an
# nbgitpuller link, work, collect, grade, return feedback, export to Canvas and Moodle. Also in make test.
rehearsal: $(STAMP) $(NODE_STAMP)
	$(BIN)/russia-china rehearsal

# The offline website in _site/: lessons and exercises (never solutions), sources, instructor notes.
site: $(STAMP)
	$(BIN)/russia-china site

# Measures, never asserts: widget redraws (in the kernel, and in JupyterLab in
# Chromium), suite time against its floor, setup time (cold and warm cache) and
# grading throughput, and a class graded in two shards then merged; writes docs/performance.md.
# BENCH=widgets,grading runs only some parts.
BENCH ?= widgets,browser,suite,setup,grading,shards
bench: $(STAMP)
	$(BIN)/russia-china bench --only $(BENCH)

# pyproject.toml is the single source of dependencies; these regenerate the rest.
environment.yml: pyproject.toml $(STAMP)
	$(BIN)/russia-china environment

lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
		-o requirements.lock --quiet

# binder/requirements.txt: the students' packages (runtime and JupyterLab, no test tools) at the lock's versions.
binder: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra lab --universal --python-version 3.11 -c requirements.lock \
		-o binder/requirements.txt --quiet --no-annotate --custom-compile-command "make binder"
	$(BIN)/russia-china environment --colab

notebooks: $(STAMP)
	$(BIN)/russia-china notebooks

clean:
	rm -rf $(VENV)
