# Bayline: the two commands of the README are `make demo` and `make test`.
# Everything else here is what they are made of.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
GUESTS ?= 300
# e.g. SEED_OPTIONS=--real-dates: the real edition's dates instead of a summit starting today
SEED_OPTIONS ?=

# Debian packages: WeasyPrint's libraries (Pango, HarfBuzz with subsetting), CJK fonts for
# badges, Chromium for browser tests, gettext for catalogues, poppler for looking at PDFs.
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
	fonts-dejavu-core chromium gettext poppler-utils

.PHONY: demo test system deps lint format messages worker production clean

demo: deps  ## Install everything, load demo data into SQLite and serve at http://127.0.0.1:8000/
	@# bin/demo (bash) runs the worker and the server and stops both on Ctrl-C.
	@PYTHON=$(PY) HOST=$(HOST) PORT=$(PORT) GUESTS=$(GUESTS) SEED_OPTIONS="$(SEED_OPTIONS)" bin/demo

test: deps  ## Install everything and run the whole test suite (lint included)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
		|| { echo "Could not install:$$missing (see docs/development.md)"; exit 1; }; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@# Only the dependencies: the project runs from its checkout, it is not installed.
	$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
		print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > $(VENV)/requirements.txt
	$(PY) -m pip install -q -r $(VENV)/requirements.txt
	touch $@

deps: system $(VENV)/.installed

worker: deps  ## Run the background task worker (e-mails, badge printing)
	$(PY) manage.py run_worker

production: deps  ## Run in production mode (bin/production; docs/deployment.md and docs/configuration.md)
	bin/production

lint: deps
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: deps
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

messages: deps  ## Extract and compile translations (commit both .po and .mo)
	$(PY) manage.py makemessages -l zh_Hans -l zh_Hant --add-location=file --no-obsolete --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
	$(PY) manage.py makemessages -d djangojs -l zh_Hans -l zh_Hant --add-location=file --no-obsolete --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore='*.min.js'
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles media
