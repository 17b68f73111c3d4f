# Two commands set everything up: `make demo` and `make test`. Both bootstrap .venv from uv.lock
# (with the ray extra, so the Ray executor is tested; a plain `pip install optiforge` stays lean).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced
export UV_COMPILE_BYTECODE := 1
export LITELLM_LOCAL_MODEL_COST_MAP := True
# Debian packages the project uses: bubblewrap (sandbox isolation), valgrind (instruction counts), g++ (C++ tasks).
APT_PACKAGES := bubblewrap valgrind g++

.PHONY: setup demo test lint bench clean system-deps

setup: system-deps $(STAMP)

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: could not install$$missing; the sandbox falls back to rlimits + unshare"; \
	  else echo "note: Debian packages missing:$$missing (run as root to install them)"; fi; \
	fi

$(STAMP): pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv || pip install --quiet --user uv
	@UV=$$(command -v uv || echo "python3 -m uv"); $$UV sync --frozen --quiet --extra ray
	@touch $(STAMP)

demo: setup
	$(VENV)/bin/optiforge demo

test: setup
	$(VENV)/bin/ruff check optiforge tests benchmarks examples
	$(VENV)/bin/mypy optiforge
	$(PY) -m pytest -n 2 -q

lint: setup
	$(VENV)/bin/ruff check optiforge tests benchmarks examples
	$(VENV)/bin/mypy optiforge

bench: setup
	@for f in benchmarks/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
