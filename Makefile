# Agent Notify — the two commands: `make run` and `make test` (plus `make bench`).
# Every target installs what it needs first, and only what is missing.

SHELL := /bin/bash
.DEFAULT_GOAL := run

CARGO_LEPTOS_VERSION := 0.3.4
# cargo-leptos downloads wasm-bindgen unless one of exactly the lockfile's version is on PATH.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3 }' Cargo.lock)

# The environment cargo-leptos builds the server with. Exporting the same values for
# every cargo command lets clippy, tests and `cargo leptos build` share one build.
# (The compiler flags are in .cargo/config.toml, read by every cargo command.)
export LEPTOS_OUTPUT_NAME := agent-notify
export LEPTOS_SITE_ROOT := target/site
export LEPTOS_SITE_PKG_DIR := pkg
export LEPTOS_SITE_ADDR ?= 127.0.0.1:3000
export LEPTOS_RELOAD_PORT := 3001
export LEPTOS_LIB_DIR := app
export LEPTOS_BIN_DIR := server
export LEPTOS_JS_MINIFY := false
export LEPTOS_HASH_FILES := false

# A current wasm-opt (binaryen from npm; Debian's is too old for rustc's reference
# types and breaks the bundle) comes first on PATH, where cargo-leptos looks for it.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(PATH)

# Where the tools the Makefile installs are built and kept (cargo-leptos, wasm-bindgen,
# FerretDB).
TOOLS_TARGET_DIR := $(CURDIR)/target/tools

.PHONY: run test test-mongodb bench setup setup-e2e setup-services setup-fuzz setup-ferretdb build site console lint

# The console bundle (settings, history, dashboard): built beside the widget's, in
# cargo-leptos's wasm target directory so the two share their dependencies' builds.
CONSOLE_WASM := target/front/wasm32-unknown-unknown/debug/console.wasm

## Build and serve on the embedded defaults (SQLite, embedded queue, sandbox provider).
run: build
	./target/debug/agent-notify serve --print-urls

## Everything CI checks: formatting, lints (native and wasm), the site build, the unit,
## property and API tests (the domain's again as the widget runs them, on regex-lite; the
## status-store promises on SQLite and on MongoDB — FerretDB, started by the tests —; the
## fault test with the SQL and with the MongoDB status store; the API suite three times:
## on SQLite, then on a real MariaDB, then on the production combination of MariaDB,
## Redis and MongoDB, those two side by side), then the API fuzzing (schemathesis,
## against the generated OpenAPI document), then the browser suite on Debian's Chromium.
## (`--workspace` on the API runs: the same feature set as `cargo test --workspace`, so
## they reuse that build instead of relinking.)
test: setup setup-e2e setup-services setup-fuzz setup-ferretdb
	cargo fmt --all -- --check
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory site
	cargo test --workspace --locked
	cargo test -p app --lib --locked --features lite-regex -- domain::
	end2end/side-by-side.sh \
		"NOTIFY_TEST_DATABASE=mariadb cargo test --workspace --locked --test api" \
		"NOTIFY_TEST_DATABASE=mariadb NOTIFY_TEST_QUEUE=redis NOTIFY_TEST_STATUS=mongodb cargo test --workspace --locked --test api"
	end2end/api-fuzz.sh
	end2end/python-client.sh
	cd end2end && npx playwright test

## The status-store tests and the API suite with MongoDB for status against a real
## MongoDB (`NOTIFY_TEST_MONGODB_URL`) instead of FerretDB.
test-mongodb: setup setup-services
	@test -n "$$NOTIFY_TEST_MONGODB_URL" \
		|| { echo "set NOTIFY_TEST_MONGODB_URL=mongodb://host:27017 to run the MongoDB tests"; exit 2; }
	NOTIFY_TEST_STATUS=mongodb cargo test --workspace --locked --test api

## Measurements (not tests): release bundle sizes, widget timings, and send/worker throughput
## on a real MariaDB + Redis (server/examples/throughput/), cross-server event latency and the
## release server's RSS; the status store on MongoDB beside MariaDB. Numbers go in docs/benchmarks.md.
bench: setup setup-e2e setup-services setup-ferretdb
	end2end/bench/wasm-size.sh
	cargo build --release --locked -p server --bin agent-notify --example throughput
	end2end/bench/widget-load.sh
	end2end/bench/csv-export.sh
	RUST_LOG=error ./target/release/examples/throughput

# Playwright must never download a browser: it drives Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

end2end/node_modules: end2end/package.json end2end/package-lock.json
	cd end2end && npm ci --no-audit --no-fund
	@touch $@

## FerretDB (MongoDB's wire protocol over SQLite; a Go module), the MongoDB the tests
## start, built once into target/tools/bin. A plain `go install …/cmd/ferretdb@$(FERRETDB_VERSION)`
## builds a binary that panics at start (its version file comes from FerretDB's own
## release task, absent from the module), so it is built from the module's source, taken
## through the Go module proxy, with that file written.
FERRETDB_VERSION := v1.24.2
FERRETDB := $(TOOLS_TARGET_DIR)/bin/ferretdb
setup-ferretdb:
	@$(FERRETDB) --version 2>/dev/null | grep -qx 'version: $(FERRETDB_VERSION)' || { \
		set -e; \
		src=$$(go mod download -json github.com/FerretDB/FerretDB@$(FERRETDB_VERSION) \
			| sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
		rm -rf $(TOOLS_TARGET_DIR)/ferretdb-src; \
		mkdir -p $(TOOLS_TARGET_DIR)/bin; \
		cp -r "$$src" $(TOOLS_TARGET_DIR)/ferretdb-src; \
		chmod -R u+w $(TOOLS_TARGET_DIR)/ferretdb-src; \
		echo $(FERRETDB_VERSION) > $(TOOLS_TARGET_DIR)/ferretdb-src/build/version/version.txt; \
		cd $(TOOLS_TARGET_DIR)/ferretdb-src && go build -trimpath -o $(FERRETDB) ./cmd/ferretdb; \
		rm -rf $(TOOLS_TARGET_DIR)/ferretdb-src; \
		$(FERRETDB) --version | grep -qx 'version: $(FERRETDB_VERSION)'; \
	}

## Servers the tests start themselves (random ports, temporary data directories).
setup-services:
	@command -v redis-server >/dev/null && { command -v mariadbd || test -x /usr/sbin/mariadbd; } >/dev/null \
		|| { apt-get update -q && apt-get install -y -q redis-server mariadb-server; }

## schemathesis (PyPI) in a virtual environment of its own, at a pinned version.
SCHEMATHESIS_VERSION := 4.32.5
SCHEMATHESIS_STAMP := target/schemathesis/installed-$(SCHEMATHESIS_VERSION)
OPENAPI_CLIENT_VERSION := 0.29.1
OPENAPI_CLIENT_STAMP := target/openapi-client/installed-$(OPENAPI_CLIENT_VERSION)
setup-fuzz: $(SCHEMATHESIS_STAMP) $(OPENAPI_CLIENT_STAMP)
$(SCHEMATHESIS_STAMP):
	@python3 -c 'import ensurepip, venv' 2>/dev/null || { apt-get update -q && apt-get install -y -q python3-venv; }
	python3 -m venv target/schemathesis
	target/schemathesis/bin/pip install -q --disable-pip-version-check schemathesis==$(SCHEMATHESIS_VERSION)
	@touch $@
# The generator an integrator would use on the OpenAPI document (end2end/python-client.sh).
$(OPENAPI_CLIENT_STAMP):
	@python3 -c 'import ensurepip, venv' 2>/dev/null || { apt-get update -q && apt-get install -y -q python3-venv; }
	python3 -m venv target/openapi-client
	target/openapi-client/bin/pip install -q --disable-pip-version-check openapi-python-client==$(OPENAPI_CLIENT_VERSION)
	@touch $@

setup-e2e: end2end/node_modules
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

build: setup site

## The site: the widget bundle (cargo-leptos, with the server) and the console bundle.
site:
	cargo leptos build
	$(MAKE) --no-print-directory console

console:
	CARGO_TARGET_DIR=target/front cargo build --locked -p console --lib --target wasm32-unknown-unknown --features csr
	wasm-bindgen --target web --no-typescript --out-dir $(LEPTOS_SITE_ROOT)/$(LEPTOS_SITE_PKG_DIR) --out-name $(LEPTOS_OUTPUT_NAME)-console $(CONSOLE_WASM)

lint:
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo clippy -p app --lib --locked --target wasm32-unknown-unknown --no-default-features --features widget-bundle -- -D warnings
	cargo clippy -p console --lib --locked --target wasm32-unknown-unknown --features csr -- -D warnings
	vendor/check-patches.sh

## Install what is missing: rustfmt/clippy, the wasm target, cargo-leptos, wasm-bindgen.
## cargo-leptos only orchestrates: it is installed unoptimised (`--debug`, 6 min instead of
## 13 on 2 cores, 0.2 s slower per build). wasm-bindgen does real work on every build, so
## it stays optimised (2 min; unoptimised it adds 4 s to each build). Both build in one
## target directory, kept for the next version bump (docs/benchmarks.md).
setup:
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q ' $(CARGO_LEPTOS_VERSION)$$' \
		|| cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --debug \
			--target-dir $(TOOLS_TARGET_DIR)
	@wasm-bindgen --version 2>/dev/null | grep -q ' $(WASM_BINDGEN_VERSION)$$' \
		|| cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) \
			--target-dir $(TOOLS_TARGET_DIR)
