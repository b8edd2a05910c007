# Two commands on a fresh machine: `make demo` and `make test`. Nothing installed by hand.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo test test-fast lint bench bench-night install clean serve tryton

# Tryton, the real ERP the tests drive: its own venv (the outside system, not a dependency),
# pinned in ops/tryton-requirements.txt; rebuilt only when the pins change. Its initialised
# database is cached beside it (.tryton/db-<hash of the pins>) by the test fixture.
TRYTON_VENV  := .tryton/venv
TRYTON_STAMP := $(TRYTON_VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-installs when pyproject.toml changes; `make test` and `make demo` share one venv.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 \
		| grep -v "is ignored: it is neither a file nor a directory" || true
	$(BIN)/python -c "import replenish, prefect, statsforecast" 
	touch $(STAMP)

install: $(STAMP)

$(TRYTON_STAMP): ops/tryton-requirements.txt
	rm -rf $(TRYTON_VENV)
	$(PYTHON) -m venv $(TRYTON_VENV)
	$(TRYTON_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r ops/tryton-requirements.txt 2>&1 \
		| grep -v "is ignored: it is neither a file nor a directory" || true
	$(TRYTON_VENV)/bin/python -c "import trytond.modules.purchase_requisition"
	touch $(TRYTON_STAMP)

tryton: $(TRYTON_STAMP)

demo: $(STAMP)
	$(BIN)/replenish demo

LINT := $(BIN)/ruff check . && $(BIN)/mypy && $(BIN)/lint-imports --no-cache
lint: $(STAMP)
	$(LINT)

# The Tryton tests fail (not skip) under `make test`: the variable says Tryton must be there.
# Three pytest-xdist workers, a test file per worker at a time (--dist loadfile; the Tryton
# files together and the longest first, tests/scheduling.py). The suite is bound by CPU on
# 2 cores: 505 s with -n 3 and the lint beside it, 515 s with -n 4 without the lint (a
# fourth Prefect test server and collection cost what it gains), 2026-12-07. Each worker
# starts its own Prefect test server; one worker starts Tryton from the cached database.
# Lint runs beside the tests, not before them: on a clean checkout mypy has no cache and
# takes 40-70 s of mostly one core, which the tests' first minute (servers starting) hides.
# Its output is printed after the tests'; either failing fails `make test` (pytest's own
# exit code first, so "no tests collected", 5, reaches .ci/run).
LINT_LOG := .lint.log
test: $(STAMP) $(TRYTON_STAMP)
	($(LINT)) > $(LINT_LOG) 2>&1 & lint=$$!; \
	REPLENISH_TEST_TRYTON_VENV=$(abspath $(TRYTON_VENV)) $(BIN)/pytest -n 3 --dist loadfile; \
	tests=$$?; wait $$lint; linted=$$?; \
	echo "--- make lint (ran beside the tests)"; cat $(LINT_LOG); \
	if [ $$tests -ne 0 ]; then exit $$tests; fi; \
	if [ $$linted -ne 0 ]; then echo "make lint failed" >&2; fi; exit $$linted

# The fast tier, to run after every edit (under 2 minutes here): the unit tests and the
# integration tests that need no server, on SQLite; no Prefect server, PostgreSQL, Tryton,
# browser or slow test (markers in pyproject.toml), over two processes. PREFECT_API_URL
# points at a closed port, so a test that would quietly start a temporary Prefect server
# fails here instead: mark it `prefect` (or use the `prefect_server` fixture).
FAST_TESTS := not slow and not prefect and not postgres and not tryton and not browser
test-fast: $(STAMP)
	PREFECT_API_URL=http://127.0.0.1:9/api $(BIN)/pytest tests/unit tests/integration \
		-m "$(FAST_TESTS)" -n 2

# A local Prefect server, the work pool, every deployment, a worker, the review page;
# prints the URLs; Ctrl-C stops all of it (ops/serve.sh, README "Deploying").
serve: $(STAMP)
	BIN=$(BIN) ops/serve.sh

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The whole night at M5's item-store size (30,490 item-locations): 20-40 minutes here,
# so not part of `make bench` (which runs the night at 2,000).
bench-night: $(STAMP)
	nice -n 10 $(BIN)/python -m benchmarks night --series 30490 --json bench-night.json

clean:
	rm -rf $(VENV) .tryton .serve .lint.log demo outbox erp-drop replenish.db replenish.db-* .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
