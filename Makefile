# qpvkg: `make serve` and `make test` bootstrap .venv from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: serve test test-ci test-virtuoso build lint typecheck suite qc check-ckan bench bench-http bench-remote bench-virtuoso bench-fastpath bench-replicas bench-contribution bench-bombs bench-queries bench-runaways bench-qpv bench-map bench-pages bench-in-france clean distclean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

serve: $(STAMP)
	$(BIN)/qpvkg serve --host 127.0.0.1 --port 8000

build: $(STAMP)
	$(BIN)/qpvkg build

lint: $(STAMP)
	$(BIN)/ruff check loaders endpoint tests benchmarks
	$(BIN)/ruff format --check loaders endpoint tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

suite: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not ci"  # two processes; a file's tests stay together, in order

test: lint typecheck suite

# what CI runs besides `make test` (.ci/run): the tests marked `ci` (browser, pools, replicas,
# schemathesis, the read-only suite over Oxigraph's server)
test-ci: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist loadfile -m ci

# the whole HTTP suite and the partners' command line over Virtuoso (Debian's virtuoso-opensource)
test-virtuoso: $(STAMP)
	QPVKG_TEST_VIRTUOSO=1 $(BIN)/pytest -q -n 2 --dist loadfile -m ci -k virtuoso tests/http tests/cli

# The catalogue as CKAN harvests it (ckanext-dcat's RDFParser), in an environment of its own.
CKAN_VENV := publication/ckan/.venv
$(CKAN_VENV)/.installed: publication/ckan/requirements.txt
	@test -x $(CKAN_VENV)/bin/python || $(PYTHON) -m venv $(CKAN_VENV)
	$(CKAN_VENV)/bin/python -m pip install --quiet -r publication/ckan/requirements.txt
	@touch $@

check-ckan: $(STAMP) $(CKAN_VENV)/.installed
	$(BIN)/qpvkg build
	$(CKAN_VENV)/bin/python publication/ckan/check.py "$$($(BIN)/python -c 'from loaders.publication.publish import current; from loaders.settings import get_settings; print(current(get_settings()) / "catalog.ttl")')"

bench: $(STAMP)
	$(BIN)/python -m benchmarks.build_time

bench-http: $(STAMP)
	$(BIN)/python -m benchmarks.http_load --size all

bench-remote: $(STAMP)
	$(BIN)/python -m benchmarks.http_load --size 1m --concurrency 1,8 --tag=-remote \
	  --servers qpvkg,qpvkg-nocache,qpvkg-remote,qpvkg-remote-nocache,oxigraph

bench-virtuoso: $(STAMP)
	$(BIN)/python -m benchmarks.http_load --size 1m --concurrency 1,8 --tag=-virtuoso \
	  --queries point-lookup,construct-resource,label-search,connectors-by-commune \
	  --servers qpvkg-nocache,qpvkg-virtuoso-nocache,virtuoso,qpvkg-remote-nocache,oxigraph
	$(BIN)/python -m benchmarks.build_engines --engines embedded,oxigraph,virtuoso

bench-fastpath: $(STAMP)
	$(BIN)/python -m benchmarks.http_load --size 1m --concurrency 1,8 --tag=-fastpath \
	  --queries point-lookup,label-search,connectors-by-commune \
	  --servers qpvkg,qpvkg-routed,qpvkg-nocache,qpvkg-routed-nocache,oxigraph

bench-replicas: $(STAMP)
	$(BIN)/python -m benchmarks.http_load --size 1m --concurrency 8,32 --tag=-replicas \
	  --queries point-lookup,construct-resource,label-search,connectors-by-commune \
	  --servers qpvkg-nocache,qpvkg-replicas-1-nocache,qpvkg-replicas-2-nocache,qpvkg-replicas-1,qpvkg-replicas-2
	$(BIN)/python -m benchmarks.replica_lag

bench-contribution: $(STAMP)
	$(BIN)/python -m benchmarks.contribution

bench-bombs: $(STAMP)
	$(BIN)/python -m benchmarks.bombs

bench-queries: $(STAMP)
	$(BIN)/python -m benchmarks.named_queries --size all

bench-qpv: $(STAMP)
	$(BIN)/python -m benchmarks.qpv_lookup
bench-map: $(STAMP)
	$(BIN)/python -m benchmarks.map_load
bench-pages: $(STAMP)
	$(BIN)/python -m benchmarks.pages
bench-in-france: $(STAMP)
	$(BIN)/python -m benchmarks.in_france

bench-runaways: $(STAMP)
	$(BIN)/qpvkg build
	$(BIN)/python -m benchmarks.runaways

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

distclean: clean
	rm -rf $(VENV)
