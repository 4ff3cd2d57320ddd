# Two entry points, both self-contained on a fresh machine (Python 3.11+):
#   make demo   set up, ingest the bundled example reports, print and write the alerts
#   make test   set up, run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test setup clean bench

$(BIN)/audit-worker: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

setup: $(BIN)/audit-worker

demo: setup
	@mkdir -p out
	@rm -f out/demo.db out/demo.db-wal out/demo.db-shm out/alerts.jsonl
	$(BIN)/audit-worker --config config.toml --db out/demo.db backfill examples/reports --deliver
	@echo
	$(BIN)/audit-worker --config config.toml --db out/demo.db alerts list
	@echo "alerts written to out/alerts.jsonl; database in out/demo.db"

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) out *.egg-info .pytest_cache
