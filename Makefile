# Siyu: two commands for a newcomer.
#   make demo   set everything up, run the main job on the demo world, serve Dagster + Superset
#   make test   set everything up, run the whole test suite
# Set WAREHOUSE_URL to use any PostgreSQL 14+ instead of the embedded one.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# chromium: the dashboards' browser tests; fonts-wqy-zenhei: a CJK font, or Chinese titles
# render as empty boxes in Chromium; acl: setfacl lets the embedded PostgreSQL user reach its
# data folder without opening any folder to other users; openjdk-17-jre-headless: the Java the
# pyspark wheel's Spark runs on (SIYU_ENGINE=spark, tests/test_spark.py).
APT_PACKAGES := chromium fonts-wqy-zenhei acl openjdk-17-jre-headless

.PHONY: setup demo demo-headless test test-fast test-spark faults lint lint-sql docs clean

setup:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	@dpkg -s $(APT_PACKAGES) >/dev/null 2>&1 || { \
		echo "[setup] installing Debian packages: $(APT_PACKAGES)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; }
	@echo "[setup] pipeline environment (.venv)"
	@$(UV) sync --frozen --quiet
	@echo "[setup] Superset environment (.venv-superset)"
	@cd dashboards/superset_env && UV_PROJECT_ENVIRONMENT=$(CURDIR)/.venv-superset $(UV) sync --frozen --quiet

demo: setup
	.venv/bin/siyu demo

demo-headless: setup
	.venv/bin/siyu demo --no-serve

test: setup
	.venv/bin/pytest

# The fault suite (issue 14): every hostile-input and failure scenario, ending in a table of
# rows expected, found, lost, doubled, altered and what the user was told (also written to
# test-artifacts/faults.md). `make test` runs the same scenarios and prints the same table.
faults: setup
	.venv/bin/pytest -m faults

# The Spark tests alone (`make test` runs them too): the tiny world on local Spark, every mart
# equal to PostgreSQL's.
test-spark: setup
	.venv/bin/pytest -m spark

# The inner loop: everything but the full-stack tests (whole job, Superset, Chromium).
test-fast: setup
	.venv/bin/pytest -m "not fullstack"

# ruff; every dbt model and column described and every model tested; sqlfluff over the
# models (dbt templater: it compiles against the embedded warehouse, started if needed).
lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
	cd dbt && SIYU_PII_KEY=lint ../.venv/bin/dbt parse --quiet --profiles-dir .
	.venv/bin/python -m siyu.quality.dbt_docs dbt/target
	$(MAKE) --no-print-directory lint-sql

lint-sql:
	env -u WAREHOUSE_URL .venv/bin/siyu warehouse start >/dev/null
	cd dbt && env -u WAREHOUSE_URL SIYU_PII_KEY=lint \
		SIYU_PG_PASSWORD="$$(env -u WAREHOUSE_URL ../.venv/bin/siyu warehouse url | ../.venv/bin/python -c 'import sys, urllib.parse; print(urllib.parse.urlparse(sys.stdin.read().strip()).password or "")')" \
		../.venv/bin/sqlfluff lint models tests --processes 2

docs: setup
	.venv/bin/siyu warehouse start && cd dbt && SIYU_PII_KEY=docs ../.venv/bin/dbt docs generate --profiles-dir .

clean:
	-.venv/bin/siyu warehouse stop
	rm -rf .data dbt/target dbt/logs test-artifacts
