#!/usr/bin/env bash
# Installs the tools in tools/NAME/ from their own package.json and lockfile, when they are missing or the
# lockfile has changed since: `bash scripts/tool-deps.sh mutation` (Stryker) or `… screenshots` (puppeteer-core).
# They need Node 22 or later, so they stay out of the project's install, which then stays quiet on Node 20.
# They run on the Node 24 of scripts/node24-path.sh, and npm checks engines against the Node that runs it, so npm's
# own script (npm_execpath under npm, else where the npm command leads) runs on that Node 24 too.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-}
dir=tools/$name
if [ -z "$name" ] || [ ! -f "$dir/package-lock.json" ]; then
  echo "usage: bash scripts/tool-deps.sh NAME, where tools/NAME/package-lock.json exists (mutation, screenshots)" >&2
  exit 2
fi
installed=$dir/node_modules/.installed-package-lock.json
if ! cmp -s "$dir/package-lock.json" "$installed"; then
  echo "Installing the $name tools into $dir/node_modules/ (again only when $dir/package-lock.json changes)." >&2
  npm_script=${npm_execpath:-$(readlink -f "$(command -v npm)")}
  npm=(npm)
  if [[ "$npm_script" == *.js ]]; then npm=("$(bash scripts/node24-path.sh)" "$npm_script"); fi
  "${npm[@]}" ci --prefix "$dir" --no-audit --no-fund >&2
  cp "$dir/package-lock.json" "$installed"
fi
