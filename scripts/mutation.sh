#!/usr/bin/env bash
# Mutation testing with Stryker on Node 24 (Stryker 10 refuses older Node), then the per-file score table.
# Stryker comes from tools/mutation/, installed on first use; it runs the project's own jest, ts-jest and TypeScript.
# Arguments go to Stryker: `bash scripts/mutation.sh --mutate src/wait/schedule.ts` tests one file.
set -euo pipefail
cd "$(dirname "$0")/.."
node24="$(bash scripts/node24-path.sh)"
bash scripts/tool-deps.sh mutation
report=reports/mutation/mutation.json
rm -f "$report"
status=0
"$node24" tools/mutation/node_modules/@stryker-mutator/core/bin/stryker.js run stryker.config.mjs "$@" || status=$?
# The table is written even when the score is under the break threshold, so a failing run still says where.
"$node24" scripts/mutation-scores.mjs "$report" "$@"
exit "$status"
