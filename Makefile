# Quick start: `make run` (install, ingest data/, write reports/) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= insights.db

.PHONY: run test bench install install-test chromium clean

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

chromium:
	scripts/ensure-chromium

run: install
	$(BIN)/insights --db $(DB) ingest data/
	$(BIN)/insights --db $(DB) report --out reports/
	@echo "Open reports/index.html"

test: install-test chromium
	$(BIN)/python -m pytest --doctest-modules src tests

bench: install-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm reports/*.html
