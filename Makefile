# Two commands on a fresh machine:  `make serve`  and  `make test`  (and `make demo` to see it all).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test demo lint unit integration browser install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Set up and run the embedded default: SQLite, one node, http://127.0.0.1:8000
serve: $(STAMP)
	$(BIN)/kepil serve

## The whole story in one run (`kepil demo --help`): TEST PKI, the permit procedure over HTTP,
## a 5-node platform from that permit, assets, a registry suspension the platform obeys
demo: $(STAMP)
	$(BIN)/kepil demo

## Static checks, then every test layer (PostgreSQL and browser tests skip loudly when their
## server or Chromium is missing; under CI=true a missing Chromium fails)
test: $(STAMP) lint
	$(BIN)/python -m pytest

## The browser layer alone: Debian's Chromium against `kepil serve`; screenshots in
## tests/browser/artifacts (or $$KEPIL_ARTIFACTS)
browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser --durations=10

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
