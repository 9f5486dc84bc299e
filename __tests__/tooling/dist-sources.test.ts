/** scripts/dist-sources.mjs, in a scratch copy of the repository's layout: when it calls dist/ older than src/. */
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../../testing/run-action.js'

let repo: string

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'dist-sources-'))
  for (const folder of ['scripts', 'src/wait', 'dist']) mkdirSync(join(repo, folder), { recursive: true })
  copyFileSync(join(ROOT, 'scripts', 'dist-sources.mjs'), join(repo, 'scripts', 'dist-sources.mjs'))
  writeFileSync(join(repo, 'src', 'main.ts'), "export const greeting = 'hello'\n")
  writeFileSync(join(repo, 'src', 'wait', 'poller.ts'), 'export const polls = 3\n')
})

afterEach(() => rmSync(repo, { recursive: true, force: true }))

function distSources(command: string): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [join(repo, 'scripts', 'dist-sources.mjs'), command], { encoding: 'utf8' })
  return { status: run.status, stderr: run.stderr }
}

const STALE = 'dist/ is older than src/: it was built from other sources, so it runs old code. Rebuild it: npm run bundle\n'

describe('node scripts/dist-sources.mjs', () => {
  it('says when nothing records which src/ dist/ was built from', () => {
    expect(distSources('check')).toEqual({
      status: 1,
      stderr: 'dist/built-from-src.sha256 is missing, so nothing says which src/ dist/ was built from. Rebuild dist/: npm run bundle\n'
    })
  })

  it('finds dist/ current right after a write, and writes one hash line', () => {
    expect(distSources('write')).toEqual({ status: 0, stderr: '' })
    expect(readFileSync(join(repo, 'dist', 'built-from-src.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/)
    expect(distSources('check')).toEqual({ status: 0, stderr: '' })
  })

  it.each([
    ['a changed byte', () => writeFileSync(join(repo, 'src', 'wait', 'poller.ts'), 'export const polls = 4\n')],
    ['a new source file', () => writeFileSync(join(repo, 'src', 'wait', 'clock.ts'), 'export {}\n')],
    ['a deleted source file', () => rmSync(join(repo, 'src', 'main.ts'))],
    ['a renamed source file', () => renameSync(join(repo, 'src', 'main.ts'), join(repo, 'src', 'index.ts'))]
  ])('calls dist/ older than src/ after %s', (_change, change) => {
    distSources('write')
    change()
    expect(distSources('check')).toEqual({ status: 1, stderr: STALE })
  })

  it('goes by content, not by file times, and leaves out files that are not sources', () => {
    distSources('write')
    const later = new Date(Date.now() + 3_600_000)
    utimesSync(join(repo, 'src', 'main.ts'), later, later)
    writeFileSync(join(repo, 'src', '.DS_Store'), 'a file manager was here')
    expect(distSources('check')).toEqual({ status: 0, stderr: '' })
  })

  it('writes the same file for the same sources, wherever they are', () => {
    distSources('write')
    const first = readFileSync(join(repo, 'dist', 'built-from-src.sha256'), 'utf8')
    const elsewhere = `${repo}-moved`
    renameSync(repo, elsewhere)
    repo = elsewhere
    rmSync(join(repo, 'dist', 'built-from-src.sha256'))
    distSources('write')
    expect(readFileSync(join(repo, 'dist', 'built-from-src.sha256'), 'utf8')).toBe(first)
  })

  it('names its commands when given another', () => {
    expect(distSources('verify')).toEqual({ status: 2, stderr: "usage: node scripts/dist-sources.mjs write|check (got 'verify')\n" })
  })
})
