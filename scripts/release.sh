#!/usr/bin/env bash
# Tags a release after every check passes: bash scripts/release.sh X.Y.Z   (see RELEASING.md)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-}
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "usage: bash scripts/release.sh X.Y.Z" >&2
  exit 2
fi
[ "$(git rev-parse --abbrev-ref HEAD)" = main ] || { echo "Release from main." >&2; exit 1; }
[ -z "$(git status --porcelain)" ] || { echo "The work tree is not clean." >&2; exit 1; }
grep -q "^## \[$version\]" CHANGELOG.md || { echo "CHANGELOG.md has no '## [$version]' section." >&2; exit 1; }
git rev-parse -q --verify "refs/tags/v$version" >/dev/null && { echo "v$version exists already." >&2; exit 1; }

npm version "$version" --no-git-tag-version >/dev/null
sed -i "s/^export const ACTION_VERSION = '.*'/export const ACTION_VERSION = '$version'/" src/shared/version.ts
npm run --silent bundle
git add package.json package-lock.json src/shared/version.ts dist
git commit -m "Release v$version"
# Everything CI checks, on the release commit; a failure leaves it untagged (undo with: git reset --hard HEAD~1).
bash .ci/run

major="v${version%%.*}"
git tag -a "v$version" -m "v$version"
git tag -f -a "$major" -m "$major, now v$version"
echo "Tagged v$version and moved $major. Push with: git push origin main v$version && git push --force origin $major"
