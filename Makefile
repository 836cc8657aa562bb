# `make run` and `make test` work on a fresh machine with only python3 (3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run prepare serve test install install-app lock messages demo-fixture backup load-test clean vendor vnu

# Development (make run, make test): the application's requirements and the
# test tools (requirements-dev.txt includes requirements.txt).
$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python manage.py compile_catalogues
	touch $@ $(BIN)/.installed-app

# Production (make serve, make backup): the application's requirements only.
$(BIN)/.installed-app: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python manage.py compile_catalogues
	touch $@

install: $(BIN)/.installed
install-app: $(BIN)/.installed-app

# Serve the demo on http://127.0.0.1:8000 with SQLite: compile the translation
# catalogues, migrate, load the demo data the first time only, create the demo
# admin, run the development server.
run: install
	$(BIN)/python manage.py compile_catalogues
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py demo_users
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production: gunicorn (gunicorn.conf.py) on the database named by
# DATABASE_URL, with settings from the environment (README, "Production").
# `prepare` compiles the translation catalogues, collects the hashed,
# compressed static files WhiteNoise serves and applies migrations, so a new
# release is one `make serve`. A service manager runs `make prepare` before
# starting gunicorn itself, so that gunicorn is its main process.
prepare: install-app
	$(BIN)/python manage.py compile_catalogues
	$(BIN)/python manage.py check --deploy --fail-level ERROR
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py migrate --noinput

serve: prepare
	$(BIN)/gunicorn --config gunicorn.conf.py

# A backup of the database named by DATABASE_URL into backups/.
backup: install-app
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL is not set: load the settings first (set -a; . /etc/aidtracker.env; set +a)" >&2; exit 1; }
	mkdir -p backups
	$(BIN)/python manage.py backup backups/aidtracker-$$(date -u +%Y%m%dT%H%M%SZ).dump

# The load test (bench/load_test.sh; a PostgreSQL database of 1M surgeries).
load-test: install
	bench/load_test.sh

# The import layers (pyproject.toml, [tool.importlinter]), then the whole
# suite, spread over one process per core (pytest-xdist);
# PYTEST_WORKERS=0 runs it in this process (for pdb, or -x on the first
# failure). DATABASE_URL=postgres://... runs it against PostgreSQL.
PYTEST_WORKERS ?= auto
test: install
	$(BIN)/lint-imports
	$(BIN)/python manage.py compile_catalogues
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Extract the translatable strings into locale/zh_Hans/LC_MESSAGES/django.po
# (needs GNU gettext's xgettext: apt-get install gettext), then translate the
# new or fuzzy entries; tests/test_translations.py fails until every one is.
# No source locations: they would change with every edit and bury the real
# changes in the diff. Strings no longer in the source stay as obsolete (#~)
# entries: msgmerge revives them when the string comes back (a branch merged
# later, a message restored), so no translation is lost; drop them with
# `msgattrib --no-obsolete` when they are truly gone. The .mo files are build
# output: compile_catalogues (pure Python, run by `make run`, `make serve` and
# `make test`) writes them.
messages: install
	$(BIN)/python manage.py makemessages --locale zh_Hans --no-location \
		--ignore tests --ignore bench --ignore node_modules
	$(BIN)/python manage.py compile_catalogues

# Re-pin every dependency from pyproject.toml's ranges: the application's into
# requirements.txt, the test tools' into requirements-dev.txt.
lock:
	rm -rf /tmp/aidtracker-lock && $(PYTHON) -m venv /tmp/aidtracker-lock
	/tmp/aidtracker-lock/bin/pip install --quiet .
	/tmp/aidtracker-lock/bin/pip freeze --exclude aidtracker > requirements.txt
	/tmp/aidtracker-lock/bin/pip install --quiet ".[dev]"
	(echo "-r requirements.txt"; /tmp/aidtracker-lock/bin/pip freeze --exclude aidtracker \
		| grep -vxFf requirements.txt) > requirements-dev.txt

# Regenerate fixtures/demo.json from the deterministic generator.
demo-fixture: install
	$(BIN)/python manage.py make_demo_fixture fixtures/demo.json

# Fetch the pinned front-end files (Chart.js) again from npm into static/vendor/.
vendor:
	./scripts/vendor.sh

# Fetch the Nu HTML Checker (vnu.jar, 32 MB, not committed) into .cache/vnu/
# for tests/aidtracker/test_html_validity.py, which is skipped without it.
vnu:
	./scripts/fetch_vnu.sh

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-*
