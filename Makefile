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

bench: $(STAMP)
	$(BIN)/python bench/run.py $(if $(QUICK),--quick,)

clean:
	rm -rf var .pytest_cache
