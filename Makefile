# Two commands: `make serve` and `make test`. Both create .venv and install the package first.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8080
HOST   ?= 127.0.0.1
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test build lint bench clean docs

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/kg build

serve: build
	$(BIN)/kg serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests tools bench

# make bench QUICK=1: 100k triples, under 5 minutes; make bench: 100k and 1M; HUGE=1 adds 10M.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(if $(QUICK),--quick,) $(if $(HUGE),--huge,)

clean:
	rm -rf var .pytest_cache

# The long reliability runs (issue 9): load at c=4/16/64, runaway queries, 100 SIGKILL trials during
# writes, kills during `kg build`; prints the figures and writes bench/results/soak-*.md (~15 min).
.PHONY: soak
soak: build
	$(BIN)/python bench/soak.py
