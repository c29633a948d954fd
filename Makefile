# Root Makefile: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := model-src/constraints.txt
# Two xdist workers: CI's machine has 2 cores, and the slow end-to-end tests then overlap the rest.
# loadgroup: tests marked xdist_group("demo") share one worker, so the demo (and its pipeline run) runs once.
PYTEST_ARGS ?= -n 2 --dist loadgroup --durations=25

.DEFAULT_GOAL := help
.PHONY: help setup lint test demo bench mutate lock check-kubectl node-tools clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

setup: $(STAMP) check-kubectl node-tools ## create .venv (Python 3.11) with the pinned versions, and node_modules (tekton-lint); fast when nothing changed

$(STAMP): model-src/pyproject.toml $(CONSTRAINTS)
	@command -v $(PYTHON) >/dev/null || { echo "setup: $(PYTHON) not found; install Python 3.11 or run 'make setup PYTHON=/path/to/python3.11'"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "setup: installing model-src with $(CONSTRAINTS) into $(VENV) (first run takes a few minutes)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) -e 'model-src[dev]'
	@touch $@

# tekton-lint (npm, pinned in package.json + package-lock.json); node is needed for nothing else.
TEKTON_LINT := node_modules/.bin/tekton-lint

node-tools: $(TEKTON_LINT)

$(TEKTON_LINT): package.json package-lock.json
	@command -v npm >/dev/null || { echo "setup: npm not found on PATH; install Node.js 18 or later (with npm), e.g. 'apt-get install nodejs npm', for tekton-lint in make lint"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

check-kubectl:
	@command -v kubectl >/dev/null || { echo "setup: kubectl not found on PATH; install kubectl v1.32 (it bundles kustomize v5.5), e.g. 'apt-get install kubectl' from the Kubernetes apt repository"; exit 1; }

lint: setup ## ruff (lint + format check), lint-imports (package layers), yamllint over the YAML folders, tekton-lint over tekton/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=$(CURDIR)/model-src/src $(BIN)/lint-imports
	$(BIN)/yamllint --strict -c .yamllint.yaml apps clusters environments policies tekton
	$(TEKTON_LINT) --config . --max-warnings 0 'tekton/**/*.yaml'

test: setup lint ## lint, then the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# DATA: a UCI Diabetes-130 zip or a FHIR export folder instead of the synthetic cohort, e.g.
# DATA=../shared/data/uci-diabetes-130/dataset_diabetes.zip (docs/demo.md says what changes then).
DATA ?=

# demo and bench need the venv and kubectl, not Node.js (tekton-lint is for `make lint` only).
demo: $(STAMP) check-kubectl ## the whole loop (docs/demo.md): Tekton retrain -> serve + explain -> drifted v2 shadow, canary -> audit
	$(BIN)/readmit demo $(if $(DATA),--data '$(DATA)')

# QUICK=1: a short version of each benchmark (fewer requests, rows, commits) for CI-sized machines.
QUICK ?=

bench: $(STAMP) check-kubectl ## run every bench/bench_*.py and write bench/results.md (QUICK=1: short versions)
	$(BIN)/python bench/run.py $(if $(filter 1,$(QUICK)),--quick)

# Mutants to run, as mutmut name globs (e.g. MUTANTS='readmit.data.deid* readmit.gates*'); empty = all of
# [tool.mutmut] only_mutate in model-src/pyproject.toml. Results accumulate in model-src/mutants/.
MUTANTS ?=
MUTATE_JOBS ?= 2
# The tests run against a clone of HEAD (READMIT_REPO), never this checkout: a mutant that drops a `repo`
# argument falls back to the repo root, and one such promote mutant committed into the checkout it ran in.
MUTATE_REPO ?= /tmp/readmit-mutate-repo

mutate: setup ## mutation testing of the safety-critical code (slow, not in `make test`); writes bench/mutation.md
	rm -rf model-src/mutants/tests && mkdir -p model-src/mutants && cp -r tests model-src/mutants/tests
	rm -rf $(MUTATE_REPO) && git clone -q . $(MUTATE_REPO)
	cd model-src && READMIT_REPO=$(MUTATE_REPO) READMIT_SHARED=$${READMIT_SHARED:-$(abspath ../shared)} \
		nice ../$(BIN)/mutmut run --max-children $(MUTATE_JOBS) $(MUTANTS)
	$(BIN)/python bench/mutation_report.py --modules-run "Mutants run: $(or $(MUTANTS),all)." > bench/mutation.md

lock: ## re-resolve model-src/constraints.txt from model-src/pyproject.toml in a scratch venv
	rm -rf /tmp/readmit-lock && $(PYTHON) -m venv /tmp/readmit-lock
	/tmp/readmit-lock/bin/python -m pip install --quiet -e 'model-src[dev]'
	/tmp/readmit-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e ' > $(CONSTRAINTS)

clean: ## remove all generated state: .venv, .readmit (demo, MLflow, serve cache), node_modules, mutants, caches
	rm -rf $(VENV) .readmit node_modules model-src/mutants mlruns mlartifacts data out build dist bench/results \
		.pytest_cache .ruff_cache .hypothesis .import_linter_cache model-src/src/*.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
