# 客服台 Front Desk — `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app app
# pytest-xdist: the suite on a worker per core (each worker its own temp SQLite files, or its own
# PostgreSQL database); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: run test test-pg lint deps system-deps translations extract clean bench bench-queue crash soak

run: deps translations
	$(FLASK) db upgrade
	$(FLASK) demo-data --if-empty
	PORT=$(PORT) $(FLASK) serve --port $(PORT)

test: deps translations
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: deps
	$(BIN)/ruff check .

# The suite on a throwaway PostgreSQL 15 cluster (browser tests are the same on both databases).
test-pg: deps translations
	.ci/with-postgres $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

# Performance (bench/RESULTS.md): datasets are built once into bench/data/, then measured.
# Each dataset on SQLite, then loaded into a throwaway PostgreSQL 15 (durable, as deployed).
bench: deps translations bench/data/small.db bench/data/large.db
	PG_SERVER_OPTIONS="" .ci/with-postgres $(BIN)/python bench/run.py $(BENCH_ARGS)

# Issue 23: browsing while 8 long jobs are queued; the outbox draining 1,000 notices.
bench-queue: deps translations bench/data/large.db
	$(BIN)/python bench/queued.py
	$(BIN)/python bench/drain.py

bench/data/%.db:
	$(BIN)/python bench/generate.py --size $*

# Reliability (RELIABILITY.md): SIGKILL mid-write ten times; ten minutes of load.
crash: deps translations
	$(BIN)/python bench/crash.py $(CRASH_ARGS)

soak: deps translations bench/data/small.db
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

deps: system-deps $(STAMP)

# Reinstall only when a requirements file changed since the last install.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# WeasyPrint subsets fonts with HarfBuzz when libharfbuzz-subset is present (several times faster).
system-deps:
	@if ! ldconfig -p | grep -q libharfbuzz-subset; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing libharfbuzz-subset0 (fast PDF font subsetting)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null; \
	  else \
	    echo "libharfbuzz-subset0 is missing: run 'sudo apt-get install libharfbuzz-subset0' (PDFs print several times slower without it)"; exit 1; \
	  fi; \
	fi

translations: $(CATALOGS)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

# Refresh the catalogue template and merge it into every language (developers, after adding strings).
extract: deps
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching


clean:
	rm -rf $(VENV) .pytest_cache
