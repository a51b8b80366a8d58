# Bollplank: `make run` serves the demo, `make test` runs every check CI runs.
# Works on a fresh Debian machine with only python3 (3.11+), make and git: missing system
# packages are installed with apt-get (as root, or through sudo).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run
MAKEFLAGS += --no-print-directory

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# uv lives beside the environment, not in it: `uv pip sync` removes what the requirements
# do not name, uv itself included.
UV_DIR := $(VENV)/tools
UV := $(UV_DIR)/bin/uv
UV_VERSION := 0.13.8
MANAGE := $(PY) manage.py
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

# Stamps: a second `make run` reuses what is there until a requirements or lock file changes.
STAMP_DEPS := $(VENV)/.stamp-deps
STAMP_DEV := $(VENV)/.stamp-deps-dev
STAMP_NPM := node_modules/.stamp-npm
STAMP_MESSAGES := var/.stamp-messages
PO_FILES := $(wildcard src/bollplank/locale/*/LC_MESSAGES/*.po)
LOCALE_IGNORE := --ignore=.venv --ignore=node_modules

export UV_LINK_MODE := copy
# Python keeps the bytecode it compiles (__pycache__): some machines set PYTHONDONTWRITEBYTECODE,
# and every Python process (each test worker, each program a test or the bench starts) then
# compiles Django and every other module again, about 2.5 s of CPU a process.
unexport PYTHONDONTWRITEBYTECODE
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# $(call apt_install,packages): try with the package lists there are, then update and retry.
apt_install = echo "==> apt-get install $(1)"; $(APT) install -y -qq $(1) >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq $(1) >/dev/null; }

.PHONY: run test test-days test-clock bench bench-growth bench-audit bench-clean deps deps-dev lint fmt messages clean distclean help _browser _faketime _messages _npm _weasyprint _xmlsec

help:
	@echo "make run        install, migrate, load the demo firm and serve on http://127.0.0.1:$(PORT)"
	@echo "make test       install dev tools, then lint, type-check, import contracts, migrations"
	@echo "                check and pytest"
	@echo "make test-days  the whole suite at each instant of tests/days.py (daylight-saving changes,"
	@echo "                a year end, 29 February, a year ahead); BOLLPLANK_TEST_NOW=... for one"
	@echo "make test-clock the whole suite with the machine's clock moved (libfaketime) to another"
	@echo "                day, TEST_CLOCK='2028-06-01 09:00:00' (default: 500 days ahead)"
	@echo "make deps       install the runtime dependencies (deps-dev: with the dev tools)"
	@echo "make bench      load the real server with a generated firm (BENCH_SCALE=small|medium|large,"
	@echo "                BENCH_DATABASES=sqlite,postgres); figures in bench/results/ (docs/bench.md);"
	@echo "                then free times of a busy supervisor (bench/freetime.py, freetime.md)"
	@echo "make bench-growth  the bench at small and large scale, with the p95 growth check"
	@echo "make bench-audit   audit log: concurrent writes, sealing and verifying 10M events"
	@echo "make bench-many    the bench practice alone and among 100 practices in one PostgreSQL"
	@echo "make lint|fmt   check | format the code;  make messages: update and compile translations"
	@echo "make clean      remove caches and generated files (distclean: also .venv and node_modules)"

# --- running ---------------------------------------------------------------------------------

run: deps
	@export BOLLPLANK_DEBUG=1 PORT=$(PORT) \
		BOLLPLANK_SITE_URL="$${BOLLPLANK_SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(MANAGE) migrate --no-input -v0; \
	$(MANAGE) load_demo; \
	echo; \
	echo "==> Serving on http://127.0.0.1:$(PORT) with the task worker (Ctrl-C stops both)"; \
	$(MANAGE) db_worker -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true; wait $$worker 2>/dev/null || true' EXIT; \
	trap 'exit 130' INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# --- testing ---------------------------------------------------------------------------------

# Two workers, each handed one test at a time: handed in chunks, one worker was once given the
# last minutes of long tests while the other sat idle.
PYTEST_WORKERS := -n 2 --maxschedchunk=1

# CHECKS=0 runs only the suite: CI's second run, on PostgreSQL, of a tree whose checks (none of
# which reads the database) passed in the first.
CHECKS ?= 1
test: deps-dev _browser
	@if [ "$(CHECKS)" != 0 ]; then \
	  echo "==> ruff check"; $(VENV)/bin/ruff check -q src tests bench; \
	  echo "==> ruff format --check"; $(VENV)/bin/ruff format -q --check src tests bench; \
	  echo "==> mypy"; $(VENV)/bin/mypy; \
	  echo "==> lint-imports"; PYTHONPATH=src $(VENV)/bin/lint-imports --no-cache; \
	  echo "==> makemigrations --check"; $(MANAGE) makemigrations --check --dry-run -v1; \
	  echo "==> bandit"; $(VENV)/bin/bandit -q -c .ci/bandit.yml -r src; \
	  echo "==> pip-audit"; bash .ci/pip_audit.sh; \
	fi
	@# The 25 slowest tests are listed: where the suite's (and CI's) time goes.
	@echo "==> pytest"; $(VENV)/bin/pytest $(PYTEST_WORKERS) --durations=25

# The suite at instants that tend to break code that reads the clock carelessly: the next
# spring and autumn daylight-saving changes in Stockholm, the next year end, the next 29 February
# and a day a year ahead (tests/days.py). Each run names its instant in its header.
test-days: deps-dev _browser
	@failed=""; for instant in $$($(PY) tests/days.py); do \
	  echo "==> pytest at $$instant"; \
	  BOLLPLANK_TEST_NOW=$$instant $(VENV)/bin/pytest $(PYTEST_WORKERS) -q || failed="$$failed $$instant"; \
	done; \
	if [ -n "$$failed" ]; then echo "The suite failed at:$$failed" >&2; exit 1; fi

# The whole suite on a machine whose clock says another day: libfaketime moves the clock of pytest
# and every program it starts, Chromium included, and BOLLPLANK_TEST_NOW is unset, so the tests'
# instant is the machine's. Proof that nothing reads the date around the tests' own clock.
# (FAKETIME_DONT_FAKE_MONOTONIC must stay unset: with it, Python's time.sleep fails with EINVAL.)
test-clock: deps-dev _browser _faketime
	@at="$${TEST_CLOCK:-$$($(PY) -c 'import datetime as d; print(d.date.today() + d.timedelta(days=500), "09:00:00")')}"; \
	echo "==> pytest with the machine's clock at $$at"; \
	env -u BOLLPLANK_TEST_NOW faketime -f "@$$at" $(VENV)/bin/pytest $(PYTEST_WORKERS) -q

lint: deps-dev
	@$(VENV)/bin/ruff check src tests bench
	@$(VENV)/bin/ruff format --check src tests bench
	@$(VENV)/bin/mypy
	@PYTHONPATH=src $(VENV)/bin/lint-imports --no-cache

fmt: deps-dev
	@$(VENV)/bin/ruff check -q --fix src tests bench || true
	@$(VENV)/bin/ruff format src tests bench

# Browser tests use Debian's Chromium, never a browser downloaded by Playwright.
# Test programs from Debian: the browser and its fonts, and khal (a calendar client that imports
# the meeting invitations in tests/notifications/test_calendar_client.py).
_browser:
	@if ! command -v chromium >/dev/null || [ ! -d /usr/share/fonts/truetype/dejavu ] \
	  || ! command -v khal >/dev/null; then \
	  $(call apt_install,chromium fonts-dejavu-core khal); \
	fi

# --- benchmark (docs/bench.md) -----------------------------------------------------------------

# Bench databases are kept between runs (generating the large one takes minutes):
# var/bench/bench-<scale>.sqlite3 and bollplank_bench_<scale> on PostgreSQL. bench-clean drops them.
bench: deps
	@$(PY) bench/run.py
	@$(PY) bench/freetime.py
	@$(PY) bench/mentoring.py

bench-growth: deps
	@BENCH_SCALE=small,large $(PY) bench/run.py

# The audit log: concurrent writers, then BENCH_AUDIT_EVENTS (10 million) sealed and verified
# on SQLite and PostgreSQL; figures in var/bench/audit.json.
bench-audit: deps
	@$(PY) bench/audit.py

# The bench practice alone and among a hundred practices in one PostgreSQL database: p95 of
# every page on both, and the plans of their queries; figures in bench/results/many.md. Its
# databases (many_single, many_hundred) are kept between runs.
.PHONY: bench-many
bench-many: deps
	@$(PY) bench/many.py

bench-clean: | $(PY)
	rm -f var/bench/bench-*.sqlite3 var/bench/bench-*.sqlite3-wal var/bench/bench-*.sqlite3-shm
	@for scale in small medium large; do \
	  $(PY) -c 'import sys, psycopg; c = psycopg.connect(sys.argv[1] + "/postgres", autocommit=True); c.execute("DROP DATABASE IF EXISTS bollplank_bench_" + sys.argv[2])' \
	    "$${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}" $$scale 2>/dev/null || true; \
	done

# --- dependencies ----------------------------------------------------------------------------

deps: $(STAMP_DEPS) _npm _messages _weasyprint

deps-dev: $(STAMP_DEV) _npm _messages _weasyprint

$(PY):
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Bollplank needs Python 3.11 or newer (python3 is $$(python3 -V))." >&2; exit 1; }
	@python3 -c 'import ensurepip, venv' 2>/dev/null || { $(call apt_install,python3-venv); }
	@echo "==> python3 -m venv $(VENV)"
	@python3 -m venv $(VENV)

$(UV): | $(PY)
	@$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip >/dev/null
	@echo "==> pip install uv==$(UV_VERSION)"
	@$(PY) -m pip install -q --target $(UV_DIR) uv==$(UV_VERSION)

# The runtime set is part of the dev set: after deps-dev, deps keeps the dev tools. Syncing the
# runtime set alone removes them, so their stamp goes too.
$(STAMP_DEPS): requirements.txt | $(UV) _xmlsec
	@if [ -f $(STAMP_DEV) ] && [ $(STAMP_DEV) -nt requirements.txt ] && [ $(STAMP_DEV) -nt requirements-dev.txt ]; then \
	  true; \
	else \
	  echo "==> uv pip sync requirements.txt"; \
	  rm -f $(STAMP_DEV); \
	  $(UV) pip sync -q --python $(PY) requirements.txt; \
	fi
	@touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(UV) _xmlsec
	@echo "==> uv pip sync requirements.txt requirements-dev.txt"
	@$(UV) pip sync -q --python $(PY) requirements.txt requirements-dev.txt
	@touch $@ $(STAMP_DEPS)

# WeasyPrint (invoice PDFs) draws text with the system's Pango and fonts.
WEASYPRINT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
_weasyprint:
	@installed=$$(dpkg-query -W -f='$${Status}\n' $(WEASYPRINT_PACKAGES) 2>/dev/null | grep -c 'install ok installed' || true); \
	if [ "$$installed" -lt $(words $(WEASYPRINT_PACKAGES)) ]; then \
	  $(call apt_install,$(WEASYPRINT_PACKAGES)); \
	fi

# SAML sign-in (allauth's provider on python3-saml and xmlsec): the xmlsec1 program that the tests'
# identity provider (pysaml2) signs with, and what the xmlsec package is built with on a machine
# its wheels do not cover.
XMLSEC_PACKAGES := xmlsec1 libxmlsec1-dev pkg-config
_xmlsec:
	@installed=$$(dpkg-query -W -f='$${Status}\n' $(XMLSEC_PACKAGES) 2>/dev/null | grep -c 'install ok installed' || true); \
	if [ "$$installed" -lt $(words $(XMLSEC_PACKAGES)) ]; then \
	  $(call apt_install,$(XMLSEC_PACKAGES)); \
	fi

_faketime:
	@command -v faketime >/dev/null || { $(call apt_install,faketime); }

_npm: $(STAMP_NPM)

$(STAMP_NPM): package.json package-lock.json
	@command -v npm >/dev/null || { $(call apt_install,nodejs npm); }
	@echo "==> npm ci"
	@npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

_messages: $(if $(PO_FILES),$(STAMP_MESSAGES))

$(STAMP_MESSAGES): $(PO_FILES) | $(PY)
	@command -v msgfmt >/dev/null || { $(call apt_install,gettext); }
	@echo "==> compilemessages"
	@$(MANAGE) compilemessages -v0 $(LOCALE_IGNORE)
	@mkdir -p var && touch $@

# Update the .po files from the code and templates (run inside src/bollplank so that tests and
# tools stay out of them), then compile them.
messages: | $(PY)
	@command -v msgfmt >/dev/null || { $(call apt_install,gettext); }
	@cd src/bollplank && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages -v0 -l sv -l en --no-obsolete $(LOCALE_IGNORE)
	@$(MANAGE) compilemessages -v0 $(LOCALE_IGNORE)
	@mkdir -p var && touch $(STAMP_MESSAGES)

# --- cleaning (var/, which holds the SQLite database and the secret key, is never touched) ----

clean:
	find src tests bench -name __pycache__ -type d -prune -exec rm -rf {} +
	find src -name '*.mo' -delete
	rm -rf .mypy_cache .ruff_cache .pytest_cache staticfiles test-results
	rm -f $(STAMP_DEPS) $(STAMP_DEV) $(STAMP_NPM) $(STAMP_MESSAGES)

distclean: clean
	rm -rf $(VENV) node_modules
