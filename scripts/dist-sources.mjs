// Says whether dist/ was built from the src/ there is now. `npm run bundle` ends with `write`, which records a
// hash of src/ in dist/built-from-src.sha256; `check` compares it with the src/ of the moment. `npm run demo`
// and the end-to-end tests, which run dist/, use it to say when dist/ is older than src/.
// A hash, not file times: a git clone or checkout gives every file the time of the checkout. It covers each .ts
// file of src/, path and bytes, and nothing else there (no editor's or file manager's files), so it is the same
// on every machine and a fresh bundle writes the same file: check:dist compares dist/ byte for byte.
// Changes of dependencies or of tsconfig.json are left to check:dist.
// Usage: node scripts/dist-sources.mjs write|check
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const STAMP = 'dist/built-from-src.sha256'

/** The .ts files under a folder of the repository, as paths from its root with '/'. */
function sourcesUnder(folder) {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`
    return entry.isDirectory() ? sourcesUnder(path) : entry.isFile() && entry.name.endsWith('.ts') ? [path] : []
  })
}

/** sha256 over one `sha256  path` line per .ts file of src/, in path order, as `sha256sum` would list them. */
function hashOfSources() {
  const listing = sourcesUnder('src')
    .sort()
    .map(
      (file) =>
        `${createHash('sha256')
          .update(readFileSync(join(root, file)))
          .digest('hex')}  ${file}\n`
    )
  return createHash('sha256').update(listing.join('')).digest('hex')
}

const command = process.argv[2]
if (command === 'write') {
  writeFileSync(join(root, STAMP), `${hashOfSources()}\n`)
} else if (command === 'check') {
  if (!existsSync(join(root, STAMP))) {
    console.error(`${STAMP} is missing, so nothing says which src/ dist/ was built from. Rebuild dist/: npm run bundle`)
    process.exit(1)
  }
  if (readFileSync(join(root, STAMP), 'utf8').trim() !== hashOfSources()) {
    console.error('dist/ is older than src/: it was built from other sources, so it runs old code. Rebuild it: npm run bundle')
    process.exit(1)
  }
} else {
  console.error(`usage: node scripts/dist-sources.mjs write|check (got '${command ?? ''}')`)
  process.exit(2)
}
