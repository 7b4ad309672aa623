# 调解台 — the two commands of the quick start are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app webapp
VENDOR := webapp/static/vendor
# pytest-xdist processes. CI machines have two cores; a third process keeps them busy while
# the tests that wait (on a worker's heartbeat, a browser, a database restart) sleep.
JOBS   ?= 3
# Worker processes of `make run`: one per core renders the demo's case files in about half the time.
WORKERS ?= 2

.PHONY: run test setup prerequisites install assets translations messages db clean

run: setup ## web, worker, scheduler and the embedded Redis on http://127.0.0.1:5000
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@echo "Open http://127.0.0.1:5000/login — demo accounts are listed in README.md (password Demo-2026)."
	SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0} PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start -c worker=$(WORKERS)

test: setup ## the layers of the code, then the whole suite (embedded default, or TEST_DATABASE_URL / TEST_REDIS_URL)
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n $(JOBS) $(PYTEST_ARGS)

setup: prerequisites install assets translations

prerequisites: ## the system packages: a CJK font and Pango for the PDFs, npm (installed as root, else the command to run)
	deploy/prerequisites.sh

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/sortablejs/Sortable.min.js node_modules/axe-core/axe.min.js $(VENDOR)/
	touch $@

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d webapp/translations

messages: install ## re-extract the strings and update the catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k pgettext:1c,2 -k lazy_pgettext:1c,2 --no-location --sort-output \
		--project=tiaojie -o webapp/translations/messages.pot .
	$(BIN)/pybabel update -w 100 -i webapp/translations/messages.pot -d webapp/translations

db: install ## upgrade the database to the newest migration
	$(FLASK) db upgrade

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance
