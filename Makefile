# Two entry points, both self-contained on a fresh machine (Python 3.11+):
#   make demo   set up, ingest the bundled example reports, print and write the alerts
#   make test   set up, run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test setup clean bench postgresql

$(BIN)/audit-worker: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# A real CJK TrueType font for the PDFs the tests and benchmarks render
# (Debian's WenQuanYi Micro Hei; installed when missing and apt-get is there).
CJK_FONT ?= /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

$(CJK_FONT):
	@if command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; \
	else echo "install a CJK TrueType font (Debian: fonts-wqy-microhei) or set CJK_FONT" >&2; exit 1; fi

# Headless Chromium and its driver from Debian's packages, for the real-browser
# test of the web view (tests/test_web_browser.py skips, saying why, without them).
CHROMEDRIVER ?= /usr/bin/chromedriver

$(CHROMEDRIVER):
	@if command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
	  || echo "could not install chromium: the real-browser test will be skipped" >&2; \
	else echo "no apt-get: install chromium and chromium-driver for the real-browser test" >&2; fi

# PostgreSQL's server binaries (initdb, pg_ctl) from Debian's packages, for the
# tests against PostgreSQL: tests/pgserver.py starts a throwaway server of its
# own and those tests skip, saying why, without them. Checked in the shell, not
# as a file target: Debian keeps them under a versioned /usr/lib/postgresql/N/bin.
# policy-rc.d (when there is none) keeps the install from starting the
# system's own cluster: the tests never use it.
PG_BINDIRS ?= /usr/lib/postgresql/*/bin

postgresql:
	@if [ -x "$$(pg_config --bindir 2>/dev/null)/initdb" ] || ls $(PG_BINDIRS)/initdb >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  rcd=/usr/sbin/policy-rc.d; added=; \
	  if [ ! -e $$rcd ] && [ -w /usr/sbin ]; then printf '#!/bin/sh\nexit 101\n' >$$rcd && chmod +x $$rcd && added=1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
	  || echo "could not install postgresql: the tests against PostgreSQL will be skipped" >&2; \
	  if [ -n "$$added" ]; then rm -f $$rcd; fi; \
	else echo "no apt-get: install PostgreSQL's server (initdb, pg_ctl) for the tests against PostgreSQL" >&2; fi

setup: $(BIN)/audit-worker

# The demo uses the database config.toml names ([database] path), so the
# commands it suggests at the end need no --db. It starts afresh only when
# that database holds nothing but the demo's reports: worker/demo.py refuses
# (exit 3, nothing deleted) when it holds anything else.
demo: setup
	@$(BIN)/python -m worker.demo reset --config config.toml --examples examples/reports
	$(BIN)/audit-worker --config config.toml backfill examples/reports --deliver
	@echo
	$(BIN)/audit-worker --config config.toml alerts list
	@echo
	@$(BIN)/python -m worker.demo next --config config.toml --bin $(BIN)

# Test processes (pytest-xdist): most tests wait on subprocesses, servers and
# sockets, so two workers halve the wall time on CI's two cores. Each worker has
# its own session fixtures (PostgreSQL server, example databases, temp dirs);
# --dist loadfile keeps a file's tests, and its module fixtures, in one worker.
TEST_WORKERS ?= 2

test: setup $(CJK_FONT) $(CHROMEDRIVER) postgresql
	CJK_FONT=$(CJK_FONT) CHROMEDRIVER=$(CHROMEDRIVER) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: setup
	$(BIN)/python bench/ingest.py

# out/ holds config.toml's database: removed only when it holds nothing but the demo.
clean:
	@if [ -x $(BIN)/python ] && $(BIN)/python -m worker.demo reset --config config.toml >/dev/null; then \
	  rm -rf out; else echo "out/ kept: its database holds more than the demo (or .venv is gone)"; fi
	rm -rf $(VENV) *.egg-info .pytest_cache
