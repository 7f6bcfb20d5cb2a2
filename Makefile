# `make demo` and `make test` are all a fresh machine needs (Python >= 3.11 and make).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
# The suite starts hundreds of Python processes (netdash, the openstack CLI, embedded clouds): with
# PYTHONDONTWRITEBYTECODE set (some machines set it for every shell) each recompiled every module it imports,
# about a second of CPU apiece. Bytecode caches are what an installed program has; .gitignore keeps them out.
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: graphviz demo demo-cloud test lint bench screenshots clean realstack realstack-stop realstack-status test-real

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "netdash needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the dependencies change. With uv (from PyPI, into the venv) when it installs: it
# resolves and installs the same packages several times faster than pip; pip is the fallback.
$(STAMP): pyproject.toml | $(BIN)/python
	( $(BIN)/python -m pip install --quiet uv && $(BIN)/python -m uv pip install --quiet \
		--python $(BIN)/python -e '.[test]' ) || $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## demo: the dashboard on the embedded cloud, started in the same process
demo: $(STAMP)
	$(BIN)/netdash --demo

## demo-cloud: the embedded cloud alone, with its clouds.yaml in .state/ for the openstack CLI
demo-cloud: $(STAMP)
	mkdir -p .state
	$(BIN)/netdash demo-cloud --clouds-yaml $(CURDIR)/.state/clouds.yaml

## test: graphviz, lint, layering contracts, then the whole suite (its latency targets afterwards, alone;
## then the browser test, whose chromium apt-get installs in the background meanwhile when it is missing:
## after graphviz's, so the two never wait on each other's dpkg lock)
WORKERS ?= auto
test: $(STAMP) graphviz
	setsid $(BIN)/python tests/browser/chromium.py install > /dev/null 2>&1 &
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal -m 'not alone and not browser'
	$(BIN)/python -m pytest -q -p no:xdist -m 'alone or browser'

## graphviz: Graphviz's dot, which checks `netdash topology --format dot` by parsing and drawing it (a dozen
## small Debian packages); where apt-get cannot install it, that test is skipped and says why
graphviz:
	@command -v dot >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get install -y -qq graphviz >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 \
		&& apt-get install -y -qq graphviz >/dev/null 2>&1)); } \
		|| echo "graphviz not installed: tests/cloud/test_topology_export.py checks the DOT export with its own parser only"

## realstack: real Neutron 29 + Octavia 19 from PyPI on loopback (venvs in realstack/, reused), clouds.yaml
## in realstack/clouds.yaml (cloud `realstack`); prints the set-up time and the services' memory.
## REALSTACK_NOVA=1 adds Nova 34 + Placement 16 + Glance 33 on MariaDB (apt-get installs it when missing:
## needs root); `realstack-stop` stops whatever a start recorded, MariaDB included
REALSTACK_CLOUDS := $(CURDIR)/realstack/clouds.yaml
realstack: $(STAMP)
	$(BIN)/python tests/realstack/stack.py start

realstack-stop:
	$(BIN)/python tests/realstack/stack.py stop

realstack-status:
	$(BIN)/python tests/realstack/stack.py status

## test-real: the tests against realstack (started if it is not running; left running afterwards, its
## memory reported after the tests)
test-real: realstack
	NETDASH_REALSTACK=$(REALSTACK_CLOUDS) OS_CLIENT_CONFIG_FILE=$(REALSTACK_CLOUDS) \
		$(BIN)/python -m pytest -q -p no:xdist tests/realstack; \
		code=$$?; $(BIN)/python tests/realstack/stack.py status; exit $$code

# packages type-checked with mypy --strict (pyproject.toml [tool.mypy]); add a path to extend it
MYPY_STRICT := netdash/cloud netdash/actions netdash/tour

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy $(MYPY_STRICT)

bench: $(STAMP)
	$(BIN)/python -m bench.api_listing
	$(BIN)/python -m bench.proxy
	$(BIN)/python -m bench.dashboard
	$(BIN)/python -m bench.probe     # uses the system's curl for its comparison rows
	$(BIN)/python -m bench.actions
	$(BIN)/python -m bench.scale     # --scale 10, 100, 1000: first paint, refresh, keys, RSS, calls
	$(BIN)/python -m bench.budget    # --scale 1000: topology against openstack port list; requests per second
	$(BIN)/python -m bench.durability  # a write with --state (logged, fsynced) against one without

## screenshots: regenerate screenshots/*.svg from the dashboard on the embedded cloud
screenshots: $(STAMP)
	$(BIN)/python screenshots/make_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
