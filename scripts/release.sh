#!/usr/bin/env bash
# Tags a release after every check passes: bash scripts/release.sh X.Y.Z   (see RELEASING.md)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-}
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "usage: bash scripts/release.sh X.Y.Z" >&2
  exit 2
fi
branch=$(git rev-parse --abbrev-ref HEAD)
[ "$branch" = main ] || { echo "Release from main, not from '$branch'." >&2; exit 1; }
# The CHANGELOG.md edit of step 1 may be uncommitted: it goes into the release commit. Anything else must not.
others=$(git status --porcelain -- . ':!CHANGELOG.md')
if [ -n "$others" ]; then
  printf 'The work tree has changes besides CHANGELOG.md; commit or stash them first:\n%s\n' "$others" >&2
  exit 1
fi
grep -q "^## \[$version\]" CHANGELOG.md || { echo "CHANGELOG.md has no '## [$version]' section (step 1 of RELEASING.md)." >&2; exit 1; }
grep -q "^\[$version\]: " CHANGELOG.md || { echo "CHANGELOG.md has no '[$version]: …' link (step 1 of RELEASING.md)." >&2; exit 1; }
git rev-parse -q --verify "refs/tags/v$version" >/dev/null && { echo "v$version exists already." >&2; exit 1; }

npm version "$version" --no-git-tag-version >/dev/null
sed -i "s/^export const ACTION_VERSION = '.*'/export const ACTION_VERSION = '$version'/" src/shared/version.ts
npm run --silent bundle
git add CHANGELOG.md package.json package-lock.json src/shared/version.ts dist
git commit -m "Release v$version"
# Everything CI checks, on the release commit; a failure leaves it untagged.
if ! bash .ci/run; then
  echo "A check failed on the release commit, so nothing is tagged. Undo the commit and keep the CHANGELOG.md edit with:" >&2
  echo "  git reset HEAD~1 && git restore package.json package-lock.json src/shared/version.ts dist" >&2
  exit 1
fi

major="v${version%%.*}"
git tag -a "v$version" -m "v$version"
git tag -f -a "$major" -m "$major, now v$version"
echo "Tagged v$version and moved $major. Push with: git push origin main v$version && git push --force origin $major"
