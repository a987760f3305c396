# Two commands for a newcomer: `make run` (the service on SQLite with demo data) and `make test`.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTHON  ?= python3

.PHONY: run test test-days lint bench browser faketime clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -U pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)  ## serve on SQLite (./var/concierge.db) with demo people; prints tokens and URLs
	$(BIN)/concierge serve --demo

test: $(STAMP) browser  ## the whole suite, on SQLite and (when reachable) PostgreSQL
	$(BIN)/pytest

test-days: $(STAMP) faketime  ## the fast suite under libfaketime at six hostile instants
	PYTEST=$(BIN)/pytest scripts/test-days

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

bench: $(STAMP)  ## benchmarks: prints a table of figures and ratios
	$(BIN)/python -m bench

browser:  ## Debian's Chromium for the browser tests (Playwright cannot download its own here)
	@scripts/ensure-chromium

faketime:  ## libfaketime for make test-days
	@scripts/ensure-faketime

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
