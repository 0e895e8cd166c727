# Needs only Python >= 3.10 (with its venv module) and make.
#   make run               serve the app on http://localhost:8501
#   make run PORT=8502     (or: PORT=8502 make run)
#   make test              unit, AppTest and browser tests
#   make bench             every benchmark script in benchmarks/ (load.py takes ~3 min)
#   make clean             remove .venv and caches

PY ?= python3
VENV = .venv
PORT ?= 8501
PYTEST_ARGS ?= tests

VPY = $(VENV)/bin/python
# Stamps live inside .venv: `make clean` drops them with it, and a changed
# requirements file makes them stale, so pip runs again only then.
RUN_STAMP = $(VENV)/.requirements.stamp
DEV_STAMP = $(VENV)/.requirements-dev.stamp

.PHONY: run test bench clean

run: $(RUN_STAMP)
	$(VPY) -m streamlit run app.py --server.port $(PORT)

test: $(DEV_STAMP)
	$(VPY) -m ruff check .
	$(VPY) -m pytest $(PYTEST_ARGS)

# PYTHONPATH: `python benchmarks/x.py` puts benchmarks/, not the root, on sys.path.
bench: $(DEV_STAMP)
	@for f in benchmarks/*.py; do \
		[ -e "$$f" ] || { echo "no benchmarks/*.py"; break; }; \
		case $$f in */loadclient.py|*/loadtrain.py|*/replicas.py|*/postgres.py) continue;; esac; \
		echo "== $$f"; PYTHONPATH="$(CURDIR)" $(VPY) "$$f" || exit 1; \
	done

$(VPY):
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
		|| { echo "error: Python >= 3.10 needed; $(PY) is $$($(PY) -V 2>&1). Try: make PY=python3.11"; exit 1; }
	$(PY) -m venv $(VENV) \
		|| { rm -rf $(VENV); echo "error: '$(PY) -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"; exit 1; }

$(RUN_STAMP): requirements.txt | $(VPY)
	$(VPY) -m pip install --disable-pip-version-check -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements-dev.txt requirements.txt | $(VPY)
	$(VPY) -m pip install --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(RUN_STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
