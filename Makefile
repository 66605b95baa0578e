# runnerfleet.gitlab_aws: the README's two commands (make sandbox, make test) and the few developers use.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps in the venv, each remade only when a requirements file it depends on changes (it is older than them):
# what make sandbox needs (requirements-sandbox.txt: the controller's requirements.txt and the sandbox's moto), and
# on top of that the development tools make test and make venv add (requirements-dev.txt).
SANDBOX_STAMP := $(VENV)/.sandbox-requirements-installed
VENV_STAMP := $(VENV)/.requirements-installed
# pip's output shortened to a line per package, and a line every 10 s while it unpacks without a word
# (hacking/pip_progress.py); its warnings and errors pass. No progress bars: they are noise in a log or CI.
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar off
PIP_PROGRESS := 2>&1 | $(BIN)/python hacking/pip_progress.py
# galaxy-importer has a venv of its own (its pins conflict with requirements-dev.txt): requirements-importer.txt.
IMPORTER_VENV := .venv-importer
IMPORTER_STAMP := $(IMPORTER_VENV)/.requirements-installed
GALAXY_IMPORT_DIR := tests/output/galaxy-import
COLLECTION_LINK := .collections/ansible_collections/runnerfleet/gitlab_aws
# make docs: Sphinx and its theme go into .venv on first use (requirements-docs.txt); the site is built here.
DOCS_STAMP := $(VENV)/.docs-requirements-installed
DOCS_DIR := tests/output/docs
SANDBOX := $(BIN)/python -m sandbox.ctl
# The venv's tools first, so that ansible-lint, ansible-test and molecule find their siblings.
export PATH := $(abspath $(BIN)):$(PATH)
# Extra ansible-playbook arguments: make sandbox ARGS='--check --diff', ARGS=-vvv, ARGS='-e fleet_name=x'
ARGS ?=
# pytest-xdist workers for the unit, conformance and integration tests: one per core by default (each integration
# worker runs a sandbox of its own); PYTEST_WORKERS=0 runs the tests in one process, as before.
PYTEST_WORKERS ?= auto
# An idle worker takes the next test, one at a time, in the order tests/integration/conftest.py gives (long first).
INTEGRATION_DIST := --dist load --maxschedchunk 1 --durations=20

.PHONY: help sandbox sandbox-teardown sandbox-start sandbox-stop sandbox-status sandbox-venv venv test ruff unit sanity \
        ansible-lint lint galaxy-import docs-lint docs conformance integration changelog bench clean debian-packages

help:
	@echo "make sandbox         start the local AWS sandbox and run playbooks/site.yml against it (ARGS=... for ansible-playbook)"
	@echo "make test            every check: ruff, unit tests, ansible-test sanity, ansible-lint, integration tests"
	@echo "make sandbox-teardown  run playbooks/teardown.yml against the sandbox (removes everything site.yml made)"
	@echo "make sandbox-stop    stop every process the sandbox started"
	@echo "make sandbox-status  say what the sandbox runs, and where"
	@echo "make unit | conformance | integration | sanity | ansible-lint | ruff   one check at a time"
	@echo "make galaxy-import | docs-lint   Galaxy's import checks on the built tarball; antsibull-docs' docs lint"
	@echo "make docs            the collection's HTML docs site (antsibull-docs, Sphinx) under $(DOCS_DIR)/build/html"
	@echo "make bench           the benchmarks under tests/perf (they print their figures)"

# pip --no-compile, then compileall on all but the bundled collections and moto. pip byte-compiles every file it
# installs, one at a time: 18 s here for ansible's 15,000 .py files of collections, which the controller never
# imports (modules go to their hosts as source); moto's server compiles what it imports, once, when it starts. What
# every task imports (ansible-core, boto3, botocore, python-gitlab, ...) is compiled here, so that a Python that
# writes no .pyc files (PYTHONDONTWRITEBYTECODE) does not compile botocore again for each of the ~100 module runs
# of a first make sandbox (about 20 s more).
$(SANDBOX_STAMP): requirements.txt meta/ee-requirements.txt requirements-sandbox.txt
	@test -x $(BIN)/python || { echo "venv: making $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@echo "venv: installing what make sandbox needs (requirements-sandbox.txt: ansible, boto3, python-gitlab, moto)"
	@$(PIP_INSTALL) --no-compile -r requirements-sandbox.txt $(PIP_PROGRESS)
	@echo "venv: byte-compiling ansible-core, boto3, botocore and the other packages every task imports"
	@$(BIN)/python -m compileall -qq -x '/(ansible_collections|moto)/' \
	  "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" || true
	@touch $@

$(VENV_STAMP): $(SANDBOX_STAMP) requirements-dev.txt
	@echo "venv: installing the development tools (requirements-dev.txt: pytest, ansible-lint, molecule, ...)"
	@$(PIP_INSTALL) -r requirements-dev.txt $(PIP_PROGRESS)
	@touch $@

# ansible-playbook finds runnerfleet.gitlab_aws.* through a link to the checkout (ansible.cfg's
# collections_path); the bundled collections come from the venv. Remade every time: cheap, and never stale.
LINK_COLLECTION := mkdir -p $(dir $(COLLECTION_LINK)) && ln -sfn ../../.. $(COLLECTION_LINK)

# What make sandbox needs, and no more.
sandbox-venv: $(SANDBOX_STAMP)
	@$(LINK_COLLECTION)

# Everything: what make sandbox needs and the development tools.
venv: $(VENV_STAMP)
	@$(LINK_COLLECTION)

sandbox: sandbox-venv sandbox-start
	$(SANDBOX) run -- $(BIN)/ansible-playbook playbooks/site.yml $(ARGS)
	@$(SANDBOX) status
	@echo "Endpoints: source .sandbox/endpoints.env (aws CLI, boto3, python-gitlab). Stop: make sandbox-stop"

# The sandbox's data is throwaway: its teardown removes the cache bucket too.
sandbox-teardown: sandbox-venv sandbox-start
	$(SANDBOX) run -- $(BIN)/ansible-playbook playbooks/teardown.yml -e fleet_remove_cache=true $(ARGS)

sandbox-start: sandbox-venv
	@$(SANDBOX) start

sandbox-stop:
	@if [ -x $(BIN)/python ]; then $(SANDBOX) stop; else echo "sandbox: nothing was running (no venv)"; fi

sandbox-status: sandbox-venv
	@$(SANDBOX) status

# The tiers one after the other, each using every core: ruff, the unit tests, the linters (ansible-test sanity,
# ansible-lint, galaxy-importer and antsibull-docs side by side, each single-threaded), the sandbox GitLab's
# conformance suite, the integration tests.
test: venv
	@$(MAKE) ruff unit lint conformance integration

lint: venv
	@$(MAKE) -j4 --output-sync=target sanity ansible-lint galaxy-import docs-lint

ruff: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: venv
	$(BIN)/pytest -n $(PYTEST_WORKERS) tests/unit

# The sandbox GitLab against GitLab's runner API contract, and the gitlab_runner modules against it.
conformance: venv
	$(BIN)/pytest -n $(PYTEST_WORKERS) tests/integration/gitlab

# The Debian packages the tests run, installed when missing: rsync, which gitlab-ci-local copies a repository with,
# and Node with npm for gitlab-ci-local itself. As root, or through sudo.
DEBIAN_TOOLS := rsync:rsync node:nodejs npm:npm
debian-packages:
	@missing="$$(for tool in $(DEBIAN_TOOLS); do command -v $${tool%%:*} >/dev/null || echo $${tool#*:}; done)"; \
	if [ -n "$$missing" ]; then \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); echo "installing Debian packages:" $$missing; \
	  $$sudo apt-get install -y -q $$missing || { $$sudo apt-get update -q && $$sudo apt-get install -y -q $$missing; }; \
	fi

# gitlab-ci-local (tests/integration/test_installed_collection.py runs examples/gitops' pipeline in it), as
# package-lock.json pins it; remade when the lock changes.
GITLAB_CI_LOCAL := node_modules/.bin/gitlab-ci-local
$(GITLAB_CI_LOCAL): package.json package-lock.json | debian-packages
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

integration: venv $(GITLAB_CI_LOCAL)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(INTEGRATION_DIST) tests/integration --ignore=tests/integration/gitlab

sanity: venv
	$(BIN)/python tests/sanity/run_ansible_test.py

ansible-lint: venv
	$(BIN)/ansible-lint --profile production

$(IMPORTER_STAMP): requirements.txt meta/ee-requirements.txt requirements-importer.txt
	@test -x $(IMPORTER_VENV)/bin/python || $(PYTHON) -m venv $(IMPORTER_VENV)
	$(IMPORTER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-importer.txt
	@touch $@

# What Galaxy does with an upload: the tarball `ansible-galaxy collection build` makes, through galaxy-importer with
# the checks tests/galaxy-importer.cfg turns on (ansible-doc, ansible-lint, changelog; not ansible-test, which needs
# a container). Any warning or error it logs fails the target. Its tools come first on PATH: it runs them by name.
galaxy-import: venv $(IMPORTER_STAMP)
	@rm -rf $(GALAXY_IMPORT_DIR) && mkdir -p $(GALAXY_IMPORT_DIR)
	$(BIN)/ansible-galaxy collection build --force --output-path $(GALAXY_IMPORT_DIR) . 2>/dev/null
	cd $(GALAXY_IMPORT_DIR) && PATH=$(abspath $(IMPORTER_VENV))/bin:$$PATH \
	  GALAXY_IMPORTER_CONFIG=$(abspath tests/galaxy-importer.cfg) \
	  $(abspath $(IMPORTER_VENV))/bin/python -m galaxy_importer.main runnerfleet-gitlab_aws-*.tar.gz 2>&1 \
	  | grep -v '^Loading ' | tee importer.log
	@if grep -qE '^(WARNING|ERROR)' $(GALAXY_IMPORT_DIR)/importer.log; then \
	  echo "galaxy-import: galaxy-importer reported the warnings or errors above"; exit 1; fi

# The collection's docs as the Ansible docsite renders them: markup, references, RST. antsibull-docs copies the
# collection and its dependencies (found by ansible-galaxy) to a temporary tree, and copies a path inside a Git
# work tree as Git tracks it; the ceiling keeps the venv's bundled collections (ignored files of this repository)
# from being copied empty.
docs-lint: venv
	GIT_CEILING_DIRECTORIES=$(abspath $(VENV)) $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

$(DOCS_STAMP): $(VENV_STAMP) requirements-docs.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-docs.txt
	@touch $@

# The collection's docs site, as docs.ansible.com renders a collection: antsibull-docs' Sphinx template
# (sphinx-init), the pages of every module, filter, callback and role (argument specs) of the collection that
# .collections links to this checkout, then Sphinx. What build.sh does, but that the warnings are sorted: without
# network access Sphinx cannot fetch the intersphinx inventories, so references to docs.ansible.com (common return
# values, ansible.builtin and amazon.aws plugins, ANSIBLE_* settings) stay unresolved; those are counted, and any
# other warning fails the target, as build.sh's -W would.
DOCS_OFFLINE := failed to reach any of the inventories
DOCS_UNRESOLVED := undefined label: |reference target not found: 
docs: venv $(DOCS_STAMP)
	@rm -rf $(DOCS_DIR) && mkdir -p $(DOCS_DIR) && chmod 0755 $(DOCS_DIR)
	$(BIN)/antsibull-docs sphinx-init --use-current --dest-dir $(DOCS_DIR) --project runnerfleet.gitlab_aws \
	  --copyright "runnerfleet maintainers" --title runnerfleet.gitlab_aws --index-rst-source docs/site-index.rst \
	  runnerfleet.gitlab_aws >/dev/null
	cd $(DOCS_DIR) && mkdir -p rst && chmod og-w rst && ANSIBLE_COLLECTIONS_PATH=$(abspath .collections) \
	  $(abspath $(BIN))/antsibull-docs --config-file antsibull-docs.cfg collection --use-current \
	  --cleanup everything --dest-dir rst runnerfleet.gitlab_aws
	cd $(DOCS_DIR) && $(abspath $(BIN))/sphinx-build -M html rst build -c . -q -w warnings.log 2>sphinx-stderr.log \
	  || { cat sphinx-stderr.log; exit 1; }
	@cd $(DOCS_DIR) && grep -E 'WARNING|ERROR|CRITICAL' warnings.log > warnings.txt || true; \
	  if grep -q '$(DOCS_OFFLINE)' warnings.txt; then \
	    grep -vE '$(DOCS_OFFLINE)|$(DOCS_UNRESOLVED)' warnings.txt > failed.txt || true; \
	    grep -E '($(DOCS_UNRESOLVED))[^ ]*runnerfleet' warnings.txt >> failed.txt || true; \
	    echo "docs: offline: $$(grep -cE '$(DOCS_UNRESOLVED)' warnings.txt) references to docs.ansible.com left unresolved ($(DOCS_DIR)/warnings.log)"; \
	  else cp warnings.txt failed.txt; fi; \
	  if [ -s failed.txt ]; then cat failed.txt; echo "docs: Sphinx warned about the above"; exit 1; fi
	@echo "docs: $$(find $(DOCS_DIR)/build/html -name '*.html' | wc -l) pages; open $(abspath $(DOCS_DIR))/build/html/index.html"

bench: venv
	$(BIN)/python tests/perf/bench_sandbox.py
	$(BIN)/python tests/perf/bench_gitlab.py
	$(BIN)/python tests/perf/bench_gitlab_runner.py
	$(BIN)/python tests/perf/bench_runner_config.py
	$(BIN)/python tests/perf/bench_runner_host.py
	$(BIN)/python tests/perf/bench_aws_roles.py
	$(BIN)/python tests/perf/bench_site.py

changelog: venv
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog generate

clean: sandbox-stop
	rm -rf .collections .ansible tests/output .pytest_cache .ruff_cache $(IMPORTER_VENV) node_modules
