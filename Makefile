# Security Info: `make run` starts the product locally, `make test` runs every check CI runs.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
SAM_VENV := .venv-sam
# checkov pins many packages of its own, so it has a venv of its own too.
CHECKOV_VENV := .venv-checkov
# Stamps record that a venv holds what the requirements files ask for; editing one re-installs.
VENV_STAMP := $(VENV)/.installed
SAM_VENV_STAMP := $(SAM_VENV)/.installed
CHECKOV_VENV_STAMP := $(CHECKOV_VENV)/.installed
# The browser tests' Node packages (axe-core), installed from package-lock.json.
NODE_STAMP := node_modules/.installed
# Every venv installs from a lock (every package pinned, with hashes); `make lock` rewrites them.
PIP_INSTALL = python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps
PIP_COMPILE = PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet \
  --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url

PORT ?= 3000
PYTEST_ARGS ?=
# Extra `sam deploy` parameter overrides, e.g. PARAMS="IdentityProviderIssuer=https://... IdentityProviderAudience=..."
PARAMS ?=

export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1
SAM := $(SAM_VENV)/bin/sam
# mypy names each file by its path (see pyproject.toml), so every functions/<action>/app.py is distinct.
MYPY_PATHS := layers/core/securityinfo functions local contract

.PHONY: help run test lint format build bench cost deploy venv venv-sam venv-checkov node-packages browsers contract pages lock

help:
	@echo "make run      start the local runtime on http://localhost:$(PORT) (PORT=... to change)"
	@echo "make test     lint, sam build, then all tests (unit, integration, e2e)"
	@echo "make lint     ruff, mypy, import-linter (the layers), sam validate --lint, cfn-lint, checkov"
	@echo "make format   ruff format and ruff's safe fixes"
	@echo "make build    sam build (then checks the built layer against the lock)"
	@echo "make contract regenerate docs/openapi.json, docs/API.md and the template's event schema registry"
	@echo "make bench    performance scripts (also writes bench/cost/calls.json)"
	@echo "make cost     monthly AWS cost for 10k, 100k and 1M users, per service"
	@echo "make lock     re-resolve the lock files from the *.in files (needs PyPI)"
	@echo "make deploy   sam build and sam deploy (guided until samconfig.toml has parameter_overrides), then publish the pages"

venv: $(VENV_STAMP)

venv-sam: $(SAM_VENV_STAMP)

venv-checkov: $(CHECKOV_VENV_STAMP)

node-packages: $(NODE_STAMP)

# requirements-dev.txt holds the runtime lock's pins too (it is compiled with it as a constraint).
$(VENV_STAMP): requirements-dev.txt layers/core/requirements.txt layers/core/pyproject.toml
	[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/$(PIP_INSTALL) -r requirements-dev.txt
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e layers/core
	touch $@

$(SAM_VENV_STAMP): requirements-sam.txt
	[ -x $(SAM_VENV)/bin/python ] || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/$(PIP_INSTALL) -r requirements-sam.txt
	touch $@

$(CHECKOV_VENV_STAMP): requirements-checkov.txt
	[ -x $(CHECKOV_VENV)/bin/python ] || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/$(PIP_INSTALL) -r requirements-checkov.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# The runtime lock first: the development lock is resolved under it.
lock: venv
	$(PIP_COMPILE) -o layers/core/requirements.txt layers/core/requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in
	$(PIP_COMPILE) -o requirements-sam.txt requirements-sam.in
	$(PIP_COMPILE) -o requirements-checkov.txt requirements-checkov.in

# The e2e tests drive Debian's Chromium through Playwright; fonts make screenshots legible.
browsers:
	@if [ -x /usr/bin/chromium ] && dpkg-query -W -f='$${Status}' fonts-liberation 2>/dev/null | grep -q 'ok installed'; then \
	  exit 0; \
	fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=; \
	elif command -v sudo >/dev/null; then sudo=sudo; \
	else echo "make browsers: installing chromium needs root or sudo" >&2; exit 1; fi; \
	$$sudo apt-get update; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-liberation

run: venv
	PORT=$(PORT) exec $(VENV)/bin/python -m local

lint: venv venv-sam venv-checkov
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(MYPY_PATHS)
	$(VENV)/bin/lint-imports --no-cache
	$(SAM) validate --lint
	$(VENV)/bin/cfn-lint template.yaml
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation -f template.yaml

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The published contract is generated (contract/); tests/unit/test_openapi.py fails when it is stale.
contract: venv
	$(VENV)/bin/python -m contract

# The layer is built from its lock; then its botocore must be the one the tests ran with.
# Lambda's code directories are read-only, so Python cannot cache what it compiles there: without
# bytecode in the package, every cold start compiles every module it imports (the layer's botocore
# included). So the build compiles the layer and the functions once, with the runtime's Python
# (3.11); unchecked-hash bytecode is used without looking at the sources' timestamps, which a zip
# does not keep exactly. layer_check then checks that every module has its bytecode.
build: venv venv-sam
	$(SAM) build
	$(VENV)/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build
	$(VENV)/bin/python -m tests.layer_check .aws-sam/build/CoreLayer/python

# pytest exits 5 when it collects nothing; that is a failure here like any other non-zero status.
test: venv browsers node-packages lint build
	@rc=0; $(VENV)/bin/python -m pytest $(PYTEST_ARGS) tests || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	exit $$rc

bench: venv
	$(VENV)/bin/python bench/run.py

# The API document is served with the pages (web/api.html renders it): a copy beside them, made
# at deploy time so that docs/openapi.json stays the one committed file.
pages:
	cp docs/openapi.json web/openapi.json

cost: venv
	$(VENV)/bin/python bench/cost.py

# The first deploy is guided (it asks for the identity provider and saves the answers to samconfig.toml).
# Then the pages are published (see "Hosted pages" below).
deploy: build venv
	@if [ -n '$(PARAMS)' ]; then \
	  $(SAM) deploy --parameter-overrides '$(PARAMS)'; \
	elif grep -Eq '^[[:space:]]*parameter_overrides[[:space:]]*=' samconfig.toml; then \
	  $(SAM) deploy; \
	else \
	  $(SAM) deploy --guided; \
	fi
	$(MAKE) --no-print-directory publish-pages

# --- Hosted pages ----------------------------------------------------------------------------
# After `sam deploy`: config.json from the stack's outputs, web/ synced to the pages bucket, and a
# CloudFront invalidation (boto3; no AWS CLI or Docker). STACK_NAME=/REGION= override samconfig.toml.
.PHONY: publish-pages
MYPY_PATHS += deploy
publish-pages: venv
	$(VENV)/bin/python -m deploy.publish_pages $(if $(STACK_NAME),--stack-name $(STACK_NAME)) $(if $(REGION),--region $(REGION))
