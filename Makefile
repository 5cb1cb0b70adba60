# Quality-incentive portal.  `make run` serves it on http://127.0.0.1:8000, `make test` checks it.
# Every step is idempotent: a second run only redoes what changed, and takes seconds.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON      ?= python3.11
VENV        ?= .venv
ADDRESS     ?= 127.0.0.1:8000
# The address `make run` prints and puts in links (notices, emails): ADDRESS as a browser reaches it
# (a bare port is on 127.0.0.1; a server listening on 0.0.0.0 is reached on 127.0.0.1 here).
RUN_HOST    := $(subst 0.0.0.0,127.0.0.1,$(if $(findstring :,$(ADDRESS)),$(ADDRESS),127.0.0.1:$(ADDRESS)))
RUN_SITE_URL ?= $(or $(SITE_URL),http://$(RUN_HOST))
PYTEST_ARGS ?=
# The packages mypy checks (`make lint`); add an app here once its types are clean.
MYPY_PACKAGES ?= portal audit workdays measures credit calls awards demo budgets proactive reports announcements disbursement accounts applications recovery experts decisions

BIN    := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

# Debian packages, installed with apt-get only when dpkg says they are missing: the browser
# for the browser tests, pdffonts/pdftotext, CJK fonts and the libraries WeasyPrint loads, msgfmt,
# and libmagic (python-magic judges uploaded files by their content).
SYSTEM_PACKAGES := chromium poppler-utils fonts-wqy-microhei fonts-noto-cjk \
	libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext libmagic1
# Debian's own python3.11 creates no venv without python3.11-venv (ensurepip); evaluated lazily.
PYTHON_PACKAGES = $(shell $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 \
	|| echo $(notdir $(PYTHON)) $(notdir $(PYTHON))-venv)

# Python packages are (re)installed only when a requirements file is newer than this stamp.
VENV_STAMP := $(VENV)/.requirements-installed

# Translations: compiled when a .po file is newer than its .mo (or the .mo is missing).
PO_FILES := $(shell find . \( -path ./$(VENV) -o -path ./var -o -path ./.git \) -prune \
	-o -name '*.po' -print 2>/dev/null)
MO_FILES := $(PO_FILES:.po=.mo)

# collectstatic (whitenoise compresses every file: ~45 s) reruns only when a static directory or
# file, or the installed packages, changed; its manifest is the stamp.
STATIC_SOURCES := $(shell find . \( -path ./$(VENV) -o -path ./var -o -path ./.git \) -prune \
	-o \( -path '*/static' -o -path '*/static/*' \) -print 2>/dev/null)
STATIC_MANIFEST := var/staticfiles/staticfiles.json

.PHONY: screenshots help install system-deps venv messages collectstatic run test lint format

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: system-deps venv messages var  ## system packages, .venv, compiled translations, var/

system-deps:  ## apt-get install what is missing (needs root)
	@bin/apt-ensure $(SYSTEM_PACKAGES) $(PYTHON_PACKAGES)

venv: $(VENV_STAMP)  ## create .venv and install requirements-dev.txt

$(VENV_STAMP): requirements.txt requirements-dev.txt | system-deps
	@# (Re)create the venv when it is missing or broken, or was made by another Python.
	if [[ "$$($(BIN)/python -V 2>&1)" != "$$($(PYTHON) -V 2>&1)" ]]; then \
		rm -rf $(VENV); $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --progress-bar off -r requirements-dev.txt
	touch $@

messages: $(MO_FILES)  ## compile translations (when there are .po files)

ifneq ($(PO_FILES),)
$(MO_FILES) &: $(PO_FILES) | $(VENV_STAMP)
	$(MANAGE) compilemessages --ignore=$(VENV)
	@# compilemessages leaves .mo files that were up to date alone: mark the whole set done.
	touch -c $(MO_FILES)
endif

var:
	mkdir -p $@

collectstatic: $(STATIC_MANIFEST)  ## collect static files into var/staticfiles (when they changed)

$(STATIC_MANIFEST): $(STATIC_SOURCES) $(VENV_STAMP) | var
	$(MANAGE) collectstatic --noinput
	touch $@

run: install  ## migrate, load the demo data, collect static files, serve on ADDRESS (127.0.0.1:8000)
	$(MANAGE) migrate --noinput
	SITE_URL=$(RUN_SITE_URL) $(MANAGE) demo_data
	$(MAKE) --no-print-directory collectstatic
	SITE_URL=$(RUN_SITE_URL) $(MANAGE) runserver $(ADDRESS)

SHOTS_DB := var/screenshots.sqlite3
screenshots: install collectstatic  ## docs/screenshots/: the main pages on a desktop and a phone, from a fresh demo
	rm -f $(SHOTS_DB)
	DATABASE_URL=sqlite:///$(SHOTS_DB) $(MANAGE) migrate --noinput >/dev/null
	DATABASE_URL=sqlite:///$(SHOTS_DB) $(MANAGE) demo_data >/dev/null
	DATABASE_URL=sqlite:///$(SHOTS_DB) $(MANAGE) runserver 127.0.0.1:8765 --noreload >var/screenshots.log 2>&1 & \
	  server=$$!; trap 'kill $$server' EXIT; \
	  for i in $$(seq 60); do curl -fs http://127.0.0.1:8765/healthz/ >/dev/null && break; sleep 1; done; \
	  DATABASE_URL=sqlite:///$(SHOTS_DB) $(MANAGE) screenshots --url http://127.0.0.1:8765

test: install lint  ## lint, then the whole test suite in parallel (SQLite, Celery eager); PYTEST_ARGS=...
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv  ## ruff, djLint (templates), mypy (MYPY_PACKAGES), migrations match the models
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --lint templates
	$(BIN)/mypy $(MYPY_PACKAGES)
	DJANGO_SETTINGS_MODULE=portal.settings.test $(MANAGE) makemigrations --check --dry-run

format: venv  ## fix what ruff can fix, then format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
