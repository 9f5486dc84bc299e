#!/usr/bin/env bash
# Runs the built action from a terminal against the real MemOS API (or any base URL), the way the runner
# would: `MEMOS_API_KEY=… npm run try -- TASK_ID [TASK_ID…]`. Other inputs come from INPUT_* variables
# (for example INPUT_TIMEOUT=2m) or MEMOS_BASE_URL. Prints the outputs and the job summary at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
  echo "usage: MEMOS_API_KEY=… npm run try -- TASK_ID [TASK_ID…]" >&2
  exit 2
fi
if [ -z "${MEMOS_API_KEY:-}${INPUT_API_KEY:-}" ]; then
  echo "Set MEMOS_API_KEY (or INPUT_API_KEY) to your MemOS API key." >&2
  exit 2
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
touch "$dir/output" "$dir/summary"
status=0
INPUT_TASK_ID="$*" GITHUB_OUTPUT="$dir/output" GITHUB_STEP_SUMMARY="$dir/summary" node dist/index.js || status=$?
printf '\n--- outputs ---\n'
grep -v '^ghadelimiter_' "$dir/output" | sed 's/<<ghadelimiter_.*$/:/'
printf '\n--- job summary ---\n'
cat "$dir/summary"
exit "$status"
