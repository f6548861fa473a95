# The two commands of the README: `make demo` (the main job, on the built-in
# cluster) and `make test` (the whole suite). Both set up what they need.
VENV ?= .venv
PY := $(VENV)/bin/python
PYHELM := $(VENV)/bin/pyhelm

.PHONY: demo test tools system-deps bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	# Compile once: PYTHONDONTWRITEBYTECODE would otherwise recompile pyhelm on every run.
	$(PY) -m compileall -q pyhelm >/dev/null
	touch $@

demo: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash scripts/demo.sh

tools:
	bash scripts/fetch-tools.sh

system-deps:
	bash scripts/install-system-deps.sh

test: $(VENV)/.installed tools system-deps
	PATH="$(CURDIR)/.tools/bin:$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest -q

bench: $(VENV)/.installed tools
	PATH="$(CURDIR)/.tools/bin:$(CURDIR)/$(VENV)/bin:$$PATH" bash benchmarks/run_all.sh
