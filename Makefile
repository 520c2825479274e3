# Front door of the PMPP back office. `make run` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The local site runs with DEBUG on (no SECRET_KEY needed); production sets its own environment.
RUN_ENV := DEBUG=$${DEBUG:-1}
# Tests run with DEBUG off like production, so they need a key; any value will do.
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-insecure-test-key} STATIC_MANIFEST=$${STATIC_MANIFEST:-0}

.PHONY: run test check setup migrate demo demo-passwords vendor messages clean bench loadtest screenshots

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@py=$$(scripts/find-python.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed

migrate: setup
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_reference

demo: migrate
	$(RUN_ENV) $(PY) manage.py load_demo

demo-passwords: migrate
	$(RUN_ENV) $(PY) manage.py load_demo --reset-passwords

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ with the task worker sending SMS and e-mail (Ctrl+C stops both)"
	$(RUN_ENV) PY=$(PY) PORT=$(PORT) scripts/run-local.sh

check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

test: check
	@scripts/system-deps.sh
	$(TEST_ENV) $(VENV)/bin/pytest

# Benchmarks on PostgreSQL at BENCH_COUNT grievances (a local cluster in BENCH_PGDIR, kept
# between runs so the data is generated once); results in bench/RESULTS.md. See bench/README.md.
BENCH_COUNT ?= 1000000
BENCH_PGDIR ?= /var/tmp/pmpp-bench-pg
bench: setup
	@url=$$(scripts/pg-cluster.sh start $(BENCH_PGDIR) pmpp_bench) || exit 1; \
	DATABASE_URL=$$url DEBUG=0 $(PY) bench/run.py --count $(BENCH_COUNT) $(BENCH_ARGS)

# A bounded mixed load over gunicorn (30 clients for 120 s unless LOAD_ARGS says otherwise, e.g.
# LOAD_ARGS="--clients 12 --duration 30") on the bench cluster's LOAD_DB; it writes grievances.
# Results in bench/LOAD.md. See bench/README.md.
LOAD_DB ?= pmpp_bench
loadtest: setup
	@url=$$(scripts/pg-cluster.sh start $(BENCH_PGDIR) $(LOAD_DB)) || exit 1; \
	DATABASE_URL=$$url DEBUG=0 $(PY) bench/load.py $(LOAD_ARGS)

vendor:
	scripts/vendor-static.sh

# Every main page at 1366×768 in French and Arabic, from a demo database of its own, into
# screenshots/ (ignored by git): open screenshots/index.html. About a minute or two.
screenshots: setup
	@scripts/system-deps.sh
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# After changing translatable text: refresh the catalogues, translate locale/ar, then compile.
messages: setup
	$(RUN_ENV) $(PY) manage.py makemessages -l ar -l fr --no-obsolete --ignore=.venv --ignore=node_modules --ignore=staticfiles
	$(RUN_ENV) $(PY) manage.py compilemessages --ignore=.venv
