# The two commands of the README: `make demo` and `make test`. Both set up .venv/ first.
SHELL := /bin/bash
# Django 6.1 needs Python 3.12+; take the newest one this machine has.
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.13.0/bin/python3.13 /root/.pyenv/versions/3.12.1/bin/python3.12; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: venv browser ops-tools demo test test-sqlite test-postgres lint clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "PeerLog needs Python 3.12 or newer" >&2; exit 1; }
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Browser tests use Debian's Chromium (never a browser download) and axe-core from npm;
# the paper-PDF tests look at pages through pdftoppm/pdftotext (Debian's poppler-utils).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }
	@command -v pdftoppm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq poppler-utils; }
	@test -f node_modules/axe-core/axe.min.js || npm install --no-audit --no-fund --silent

# The deploy/ test runs Debian's nginx on loopback (tests/ops/test_deploy.py); backups need
# pg_dump/pg_restore and the test certificate openssl.
ops-tools:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { apt-get update -qq && apt-get install -y -qq nginx; } || echo "nginx could not be installed: the deploy test installs it or says why it is skipped"
	@command -v pg_dump >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql-client; }
	@command -v openssl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq openssl; }

demo: $(STAMP)
	$(VENV)/bin/peerlog demo

# The whole suite, on the embedded SQLite and then on PostgreSQL (127.0.0.1:5432).
# PEERLOG_REQUIRE_POSTGRES=1 (set by .ci/run) turns a missing PostgreSQL into a failure.
test: $(STAMP) browser ops-tools
	$(VENV)/bin/ruff check src tests bench deploy
	$(VENV)/bin/pytest
	PEERLOG_DB=postgres $(VENV)/bin/pytest

test-sqlite: $(STAMP) browser ops-tools
	$(VENV)/bin/pytest

test-postgres: $(STAMP) browser ops-tools
	PEERLOG_DB=postgres $(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench deploy

clean:
	rm -rf $(VENV) build *.egg-info
