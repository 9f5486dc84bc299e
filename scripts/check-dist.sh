#!/usr/bin/env bash
# dist/ must be exactly what `npm run bundle` builds from the committed sources (ncc output is byte-stable).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent bundle
if [ -n "$(git status --porcelain -- dist)" ]; then
  echo "dist/ is out of date: run 'npm run bundle' and commit the result." >&2
  git status --short -- dist >&2
  git --no-pager diff --stat -- dist >&2
  exit 1
fi
echo "dist/ is up to date."
