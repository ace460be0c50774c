# Two commands matter: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
NLU_DATA := $(shell find data -name '*.yml' -not -path 'data/eval/*' 2>/dev/null)
SPACY_MODEL := var/spacy/en_signpost
POSTCODES := var/postcodes/essex.msgpack
RISK_MODEL := var/risk/risk_model.pkl
RISK_DATA := $(wildcard data/risk/*.csv) bot/risk_lexicon.yml $(NLU_DATA)

.PHONY: run run-cluster test install db model web-assets browser nginx lint bench clean help
help:
	@echo "make run   - install what is missing and start the whole system"
	@echo "make test  - run every test"
	@echo "make run-cluster - production-shaped: 2 Rasa + 2 action servers, Redis, PostgreSQL, nginx"

# --- installation -----------------------------------------------------------
$(BIN)/activate:
	@PY310=$$(scripts/find-python310) && echo "Creating $(VENV) with $$PY310" && $$PY310 -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	$(PY) -m pip check
	touch $@

install: $(VENV)/.installed web-assets

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web-assets: web/node_modules/.installed

# Debian chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian nginx for the cluster (load balancer) and its test; run as a plain process, the
# package's own service is never started or used.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  echo "Installing Debian nginx for the cluster mode and its test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nginx >/dev/null; }

# --- database -----------------------------------------------------------------
db: $(VENV)/.installed
	$(BIN)/signpost db upgrade
	$(BIN)/signpost directory seed

# --- postcodes -----------------------------------------------------------------
# The Essex subset of the ONS Postcode Directory (from the installed PyPI package): seconds.
$(POSTCODES): $(VENV)/.installed services_directory/postcode_build.py
	$(BIN)/signpost directory build-postcodes --out $(POSTCODES)

# --- NLU model ----------------------------------------------------------------
$(SPACY_MODEL)/meta.json: $(VENV)/.installed bot/spacy_pipeline.py bot/places.yml $(POSTCODES)
	$(BIN)/signpost nlp build-spacy --out $(SPACY_MODEL)

# Retrain only when the training data, domain, config or spaCy pipeline changed.
models/.trained: $(VENV)/.installed $(SPACY_MODEL)/meta.json config.yml domain.yml $(NLU_DATA)
	$(BIN)/rasa train --fixed-model-name signpost --out models --num-threads 2
	touch $@

# The crisis net's classifier (bot/risk_model.py): seconds to train, so it is built apart.
$(RISK_MODEL): $(VENV)/.installed $(RISK_DATA) bot/risk.py bot/risk_model.py
	$(BIN)/signpost nlp build-risk --out $(RISK_MODEL)

model: models/.trained $(RISK_MODEL) $(POSTCODES)

# --- the two commands -----------------------------------------------------------
run: install db model
	scripts/run-stack

# Two Rasa replicas (Redis lock store, PostgreSQL tracker store), two action servers and the
# web app behind nginx on loopback; PostgreSQL and Redis must be running (docs: README).
run-cluster: install model nginx
	scripts/run-cluster

test: install browser nginx model
	scripts/run-tests

lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: install db model
	$(PY) -m bench.run

clean:
	rm -rf models var .pytest_cache tests/artifacts
