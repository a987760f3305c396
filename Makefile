# Two commands for a newcomer: `make run` (the service on SQLite with demo data) and `make test`.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTHON  ?= python3

.PHONY: run test test-days lint bench browser faketime node-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -U pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)  ## serve on SQLite (./var/concierge.db) with demo people; prints tokens and URLs
	$(BIN)/concierge serve --demo

# The fast tests share the cores (pytest-xdist: each worker has its own databases, ports and
# Redis prefix); the slow and browser ones, which time servers and pages, run one at a time.
JOBS    ?= 2
test: $(STAMP) browser node-deps  ## the whole suite, on SQLite and (when reachable) PostgreSQL
	$(BIN)/pytest -n $(JOBS) -m "not slow and not browser"
	$(BIN)/pytest -m "slow or browser"

test-days: $(STAMP) faketime node-deps  ## the fast suite under libfaketime at six hostile instants
	PYTEST=$(BIN)/pytest JOBS=$(JOBS) scripts/test-days

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

# The TypeScript SDK client the MCP tests drive (tests/mcp/test_typescript_client.py); the
# stamp inside node_modules is newer than the lock only after an install from that lock.
TS      := tests/mcp/ts
node-deps: $(TS)/node_modules/.installed
$(TS)/node_modules/.installed: $(TS)/package-lock.json $(TS)/package.json
	npm ci --prefix $(TS) --no-audit --no-fund
	@touch $@

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache $(TS)/node_modules
