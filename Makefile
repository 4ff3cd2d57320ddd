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

# A real CJK TrueType font for the PDFs the tests and benchmarks render
# (Debian's WenQuanYi Micro Hei; installed when missing and apt-get is there).
CJK_FONT ?= /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

$(CJK_FONT):
	@if command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; \
	else echo "install a CJK TrueType font (Debian: fonts-wqy-microhei) or set CJK_FONT" >&2; exit 1; fi

setup: $(BIN)/audit-worker

demo: setup
	@mkdir -p out
	@rm -f out/demo.db out/demo.db-wal out/demo.db-shm out/alerts.jsonl
	$(BIN)/audit-worker --config config.toml --db out/demo.db backfill examples/reports --deliver
	@echo
	$(BIN)/audit-worker --config config.toml --db out/demo.db alerts list
	@echo "alerts written to out/alerts.jsonl; database in out/demo.db"

test: setup $(CJK_FONT)
	CJK_FONT=$(CJK_FONT) $(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) out *.egg-info .pytest_cache
