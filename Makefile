# Two commands on a fresh machine: `make maps` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: maps test eval bench check browser images clean

$(STAMP): pyproject.toml constraints.txt setup.py pipeline/_screen.c
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,dask]'
	touch $(STAMP)

maps: $(STAMP)
	$(PY) -m pipeline maps

check: $(STAMP)
	$(PY) -m pipeline check

test: $(STAMP) browser
	$(PY) -m pytest -q

eval: $(STAMP)
	$(PY) -m pipeline eval tests/data/seeds_gold.yaml --seeds seeds
	$(PY) -m pipeline eval tests/data/dispatches/gold.yaml --seeds tests/data/dispatches

bench: $(STAMP) node_modules/.installed
	$(PY) scripts/bench.py
	$(PY) scripts/bench_render.py

# PNG social cards of each date map (machine-dependent bytes: not committed)
images: $(STAMP) browser
	$(PY) -m pipeline images

# the browser tests need Debian's chromium (no browser download) and Leaflet from npm
browser: node_modules/.installed
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

clean:
	rm -rf $(VENV) .cache build pipeline/*.so
