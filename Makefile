# Set-up and everyday commands. `make demo` and `make test` work on a fresh clone: each creates .venv and installs
# the package first. A stamp file per set of extras re-installs when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
OUTPUT := output

# torch comes from the torch extra, pinned to 2.13.0 (the CPU wheel on local disk); pip reuses its cache for the rest.
PIP_INSTALL := $(PIP) install --disable-pip-version-check --progress-bar off

STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: .venv venv demo test lint typecheck pytest bench golden clean

# The bare interpreter, created once.
$(PY):
	$(PYTHON) -m venv $(VENV)

# The package alone (what `make demo` needs).
$(STAMP_RUN): pyproject.toml | $(PY)
	$(PIP_INSTALL) -e .
	touch $@

# The package with everything the tests use: dev tools, PyTorch and JAX for the autograd comparisons, numba for
# the NumPy backend's element loops.
$(STAMP_TEST): pyproject.toml | $(PY)
	$(PIP_INSTALL) -e '.[dev,torch,jax,numba]'
	touch $@ $(STAMP_RUN)

# `make .venv` (or `make venv`): the virtual environment with every extra the tests use.
.venv venv: $(STAMP_TEST)

# The main job: the derivation of a 2-3-1 tanh/sigmoid net with cross-entropy, written into output/.
demo: $(STAMP_RUN)
	$(VENV)/bin/symbackprop derive 2-3-1 --hidden tanh --output sigmoid --loss bce --notation bishop \
		--format tex,pdf,md

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check symbackprop tests

typecheck: $(STAMP_TEST)
	$(VENV)/bin/mypy symbackprop

# On every core (pytest-xdist), the ten slowest tests listed at the end.
pytest: $(STAMP_TEST)
	$(VENV)/bin/pytest -q -n auto --durations=10

test: lint typecheck pytest

bench: $(STAMP_TEST)
	$(VENV)/bin/symbackprop bench
	$(PY) scripts/bench_engine.py
	$(PY) scripts/bench_tanh.py

# Rewrites the golden documents under tests/; review the diff before committing it.
golden: $(STAMP_TEST)
	$(PY) scripts/regenerate_golden.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	if [ -d $(OUTPUT) ]; then find $(OUTPUT) -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +; fi
