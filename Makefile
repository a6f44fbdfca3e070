# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-dev bench bench-extract bench-dedup bench-crawl bench-search clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

# .doc/.wps attachments are read by Debian's antiword (catdoc as a second try); the tests of
# crawling through Redis start Debian's redis-server, the browser test of `govarchive serve`
# drives Debian's chromium through chromium-driver, with a CJK font so its screenshots show
# Chinese. Each entry is a command or a file, then `=package` when the package has another name.
DEB_TOOLS := antiword catdoc
DEB_DEV_TOOLS := redis-server chromium chromedriver=chromium-driver \
	/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc=fonts-wqy-zenhei

# $(call deb_install,ENTRIES,WHAT FOR): apt-get the missing ones (as root, or with sudo), else warn
define deb_install
	@missing=""; for entry in $(1); do tool=$${entry%%=*}; package=$${entry#*=}; \
	  case $$tool in /*) [ -e $$tool ];; *) command -v $$tool >/dev/null;; esac || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; then :; \
	  else echo "warning: could not install$$missing; run 'apt-get install$$missing' $(2)"; fi; \
	fi
endef

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -e .
	$(call deb_install,$(DEB_TOOLS),to read .doc/.wps attachments)
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install -e '.[dev]'
	$(call deb_install,$(DEB_DEV_TOOLS),for the tests of crawling through Redis and in a browser)
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/govarchive demo

test: install-dev
	$(BIN)/python -m pytest

bench: bench-extract bench-dedup

bench-extract: install-dev
	$(BIN)/python bench/extract.py

bench-dedup: install-dev
	$(BIN)/python bench/dedup.py

# govarchive's crawl against a bare Scrapy spider on one loopback site, served by Debian's nginx;
# 1,000 portals on 100 hosts in one process; the archive's ingest rate on its own.
bench-crawl: install-dev
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nginx || echo "warning: no nginx; the Python server is slower"; }
	$(BIN)/python bench/crawl.py $(if $(REPORTS),--reports $(REPORTS),)
	$(BIN)/python bench/many_portals.py $(if $(PORTALS),--portals $(PORTALS),)
	$(BIN)/python bench/ingest.py $(if $(REPORTS),--reports $(REPORTS),)

# Full-text indexes compared: size, ingest rate, latency and recall (DOCUMENTS="10000 100000").
bench-search: install-dev
	$(BIN)/python bench/search.py $(if $(DOCUMENTS),--documents $(DOCUMENTS),)

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm
