# Two commands, each setting up everything it needs first:
#   make serve   build the site and serve it at http://127.0.0.1:8000, rebuilding on every edit
#   make test    run the whole test suite (installs Debian's chromium for the browser tests when it can)
# and one for authors: make import SOURCE=article.xml [CASE=folder-name] [LICENCE=licence-id]

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
# Anki decks date their notes by the last commit, so that re-importing an updated deck updates its notes
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)

.PHONY: serve test build offline properdocs export browser benchmark import

serve: $(VENV)/.installed
	$(BIN)/mkdocs serve --dirty   # renders only the pages an edit changed (the hooks keep the rest right)

build: $(VENV)/.installed
	$(BIN)/mkdocs build --strict

# A copy for file:// (open site-offline/index.html from a USB stick): no server, no network.
offline: $(VENV)/.installed
	OFFLINE=true $(BIN)/mkdocs build --strict -d site-offline

# The same site built by ProperDocs, the maintained fork of MkDocs 1.x (README: Engines and Material's end of life).
properdocs: $(VENV)/.installed
	$(BIN)/properdocs build --strict -f mkdocs.yml -d site-properdocs

# The site as plain Markdown and a mkdocs.yml without hooks, for an engine that runs none (README: Engines).
export: $(VENV)/.installed
	PYTHONPATH=hooks $(BIN)/python -m clinicase.static_export $(or $(OUT),site-markdown)

test: $(VENV)/.installed browser
	$(BIN)/python -m pytest

# A case report's JATS XML to a draft case in content/cases/ and its references in bibliography.bib (README:
# Import a case report). Writes nothing when it fails; prints what the author must still review.
import: $(VENV)/.installed
	@if [ -z "$(SOURCE)" ]; then echo "Usage: make import SOURCE=path/to/article.xml [CASE=folder-name] [LICENCE=licence-id]"; exit 2; fi
	@PYTHONPATH=hooks $(BIN)/python -m clinicase.jats_import "$(SOURCE)" $(if $(CASE),--case "$(CASE)") $(if $(LICENCE),--licence "$(LICENCE)")

# Build time against a plain MkDocs build of the same pages (about 50 minutes; see README, Performance).
benchmark: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# Browser tests drive the system's Chromium through Playwright; no browser is ever downloaded.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium not found: browser tests will be skipped (install the 'chromium' package to run them)"; fi
