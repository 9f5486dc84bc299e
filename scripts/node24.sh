#!/usr/bin/env bash
# Runs the end-to-end suite under Node 24, the runtime action.yml declares (`runs.using: node24`),
# whatever Node this machine has.
set -euo pipefail
cd "$(dirname "$0")/.."
node24="$(bash scripts/node24-path.sh)"
echo "End-to-end tests under $("$node24" --version) ($node24)"
E2E_NODE="$node24" NODE_OPTIONS=--experimental-vm-modules npx jest __tests__/e2e/
