# Two commands set everything up: `make report` (the main job) and `make test`.
# Each creates the virtual environment it needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: venv data report test test-fast bench lab docs lock clean

# The exact versions of requirements.lock (make lock), then the package itself without resolving again:
# two machines draw the same reports. pyproject.toml keeps ranges for pip users.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name natoanalysis --display-name "Python (natoanalysis)" >/dev/null
	touch $(STAMP)

venv: $(STAMP)

## data: regenerate data/processed from the committed data/raw
data: $(STAMP)
	$(BIN)/natoanalysis build

## report: the full report suite on the bundled data, into reports/<run-id>/ (reports/latest)
report: data
	$(BIN)/natoanalysis report --jobs $(JOBS)

## test: the whole test suite (doctests, notebooks, report runs, hostile input); what .ci/run runs
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(JOBS) --dist loadgroup

## test-fast: unit tests and doctests only, no kernels or subprocess races (under a minute on 2 cores)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n $(JOBS) -m "not slow"

## bench: benchmarks as ratios against baselines, written to benchmarks/RESULTS.md
bench: data
	$(BIN)/python benchmarks/run.py --jobs $(JOBS)

## lab: JupyterLab on notebooks/ with the package's own kernel
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## docs: the API reference and user guide from the numpy docstrings, warnings as errors, into docs/_build/html
docs: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

## lock: regenerate requirements.lock (exact versions of the dependencies and the dev and docs extras)
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --upgrade --extra dev --extra docs --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) reports docs/_build dist data/processed/*.arrow data/processed/*.parquet data/processed/*.json
