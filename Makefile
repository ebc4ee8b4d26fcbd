# Two commands a newcomer needs: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --locked
DB ?= vaikuttavuus.duckdb

.PHONY: demo demo-reset test install lint typecheck unit sample-db sample bench screenshots clean

.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --locked --compile-bytecode
	@touch $@

install: .venv/.installed

## Start the dashboard (with a local OpenID provider) on the sample database. The database is
## built from sample_data/ only when it does not exist: what a user did in an earlier demo run
## (uploads, approvals) is kept. `make demo-reset` builds it anew.
demo: install $(DB)
	$(RUN) python sample_data/serve_demo.py --db $(DB) --port 8501

$(DB): | install
	$(RUN) python sample_data/build_demo.py --db $(DB)
	$(RUN) vaikuttavuus --db $(DB) deliveries

sample-db: $(DB)

## Remove the sample database (and what was done in it), build it again and start the demo.
demo-reset: install
	rm -f $(DB) $(DB).wal $(DB).lock .$(DB).audit-journal
	$(MAKE) demo

## Every check: formatting, lint, types, all tests.
test: install lint typecheck unit

lint:
	$(RUN) ruff format --check .
	$(RUN) ruff check .

typecheck:
	$(RUN) mypy

## The tests without a browser in two processes side by side (pytest-xdist), then the browser
## tests alone: they time a real browser against a real server and want the machine to themselves.
unit:
	$(RUN) pytest -n 2 -m "not e2e"
	$(RUN) pytest -m e2e

## Regenerate sample_data/ (seeded, byte-identical).
sample: install
	$(RUN) python sample_data/generate.py

bench: install
	$(RUN) python bench/load.py

## Retake docs/screenshots/*.png with the browser tests.
screenshots: install
	VAIKUTTAVUUS_SCREENSHOTS=$(CURDIR)/docs/screenshots $(RUN) pytest tests/e2e -k "page_loads or strategia_shows or command_prints"

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache $(DB)
