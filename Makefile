# One Makefile for people, hooks and CI. Every target creates .venv when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The first torch 2.13.0 build pip finds; README "A CUDA build of torch" explains TORCH_INDEX.
TORCH       ?= torch==2.13.0
TORCH_INDEX ?=
HOST    ?= 127.0.0.1
PORT    ?= 8000
WORKERS ?= 1

.PHONY: serve test lint env clean openapi client browser postgres deploy-tools bench

env: $(STAMP)

$(STAMP): pyproject.toml clients/python/pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) '$(TORCH)'
	$(BIN)/python -m pip install -q -e '.[test]' -e ./clients/python
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/lossd serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: lint browser postgres deploy-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check service tests bench examples clients/python
	$(BIN)/ruff format --check service tests bench examples clients/python

# docs/benchmarks.md: every path side by side, servers on CPU 0 and this load generator on CPU 1.
# Not part of `make test`. Installs the bench extra (LitServe, matplotlib, pyinstrument) first.
bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(if $(shell command -v taskset),taskset -c 1) $(BIN)/python bench/suite.py $(BENCH_ARGS)

# The committed contract: the OpenAPI document, then the Python client generated from it.
openapi: $(STAMP)
	$(BIN)/python -m lossd.http.openapi --output openapi/openapi.json

client: $(STAMP)
	$(BIN)/python clients/python/generate.py

# Debian's Chromium for the browser test, where it can be installed (as root, with apt-get);
# elsewhere tests/test_browser.py skips and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser test"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: the browser test will skip"; \
	  else echo "chromium is not installed (needs root and apt-get): the browser test will skip"; fi; }

# Debian's PostgreSQL for the runs storage tests, which start a throwaway server of their own (tests/postgres.py);
# installed with apt-get where it can be (as root), elsewhere those tests skip and say why.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's postgresql for the runs storage tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	      || echo "could not install postgresql: the PostgreSQL tests will skip"; \
	  else echo "postgresql is not installed (needs root and apt-get): the PostgreSQL tests will skip"; fi; }

# Debian's nginx (the scale-out test runs it in front of lossd replicas) and docker-compose (it validates
# docker-compose.yml; no Docker engine needed), where they can be installed; elsewhere those tests skip.
deploy-tools:
	@command -v nginx >/dev/null 2>&1 && command -v docker-compose >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's nginx and docker-compose for the deployment tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx docker-compose >/dev/null) \
	      || echo "could not install nginx and docker-compose: the deployment tests that need them will skip"; \
	  else echo "nginx or docker-compose is missing (needs root and apt-get): tests that need them will skip"; fi; }

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts
