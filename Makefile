# Everything a fresh machine needs: `make dev` runs a local network, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TOOLS := $(CURDIR)/.tools
COMETBFT := $(TOOLS)/bin/cometbft
PYTEST_ARGS ?=

.PHONY: dev test net net-down lint typecheck fmt bench cometbft clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

$(COMETBFT): tools/install-cometbft.sh
	TOOLS_DIR=$(TOOLS) bash tools/install-cometbft.sh

cometbft: $(COMETBFT)

dev: $(STAMP)
	$(VENV)/bin/phalanx dev $(ARGS)

net: $(STAMP) $(COMETBFT)
	PATH=$(TOOLS)/bin:$$PATH $(VENV)/bin/phalanx net up --validators $${VALIDATORS:-4} $(ARGS)

net-down: $(STAMP)
	$(VENV)/bin/phalanx net down $(ARGS)

test: $(STAMP) $(COMETBFT)
	PATH=$(TOOLS)/bin:$$PATH $(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

typecheck: $(STAMP)
	$(VENV)/bin/mypy

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests bench

bench: $(STAMP)
	$(PY) bench/transfers.py

clean:
	rm -rf $(VENV) $(TOOLS) .phalanx build dist src/*.egg-info
