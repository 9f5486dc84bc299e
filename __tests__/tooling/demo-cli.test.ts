/** `npm run demo`, as a newcomer runs it: compiled, spawned, its output read. */
import { spawn } from 'node:child_process'
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../../testing/run-action.js'
import { compileTools } from './compile-tools.js'

const BUILD = join(ROOT, '.build', 'tests', 'demo-cli')
const DEMO = join(BUILD, 'scripts', 'demo.js')

beforeAll(() => compileTools('demo-cli'))

function runDemo(args: string[], demo = DEMO): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [demo, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })))
}

describe('npm run demo', () => {
  it.each([['--help'], ['-h']])('lists its options with %s', async (flag) => {
    const run = await runDemo([flag])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Usage: npm run demo -- \[options\]\n/)
    expect(run.stdout).toMatch(/^ +--api API +cloud \(MemOS Cloud.*or self-hosted \(the open-source server.*\(default: cloud\)$/m)
    expect(run.stdout).toMatch(/^ +--no-build +Run dist\/ as it is, even when src\/ has changed since it was built/m)
    expect(run.stdout).toMatch(/^ +-h, --help +Show this help and exit\.$/m)
    expect(run.stderr).toBe('')
  })

  it.each([
    ['an unknown option', ['--halp'], /^demo: Unknown option '--halp'.*\(see --help\)$/],
    ['an option without its value', ['--api'], /^demo: Option '--api <value>' argument missing.*\(see --help\)$/],
    ['an API it does not know', ['--api', 'selfhosted'], /^demo: --api must be cloud or self-hosted, got 'selfhosted'$/]
  ])('fails on %s with one line and exit code 2', async (_name, args, expected) => {
    const run = await runDemo(args)
    expect(run.code).toBe(2)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr.trim()).toMatch(expected)
    expect(run.stdout).toBe('')
  })

  it('shows the log as the runner would: no ::add-mask:: line and no key, with a note that says why', async () => {
    const run = await runDemo(['--no-build'])
    expect(run.code).toBe(0)
    const log = run.stdout.slice(run.stdout.indexOf('── log'), run.stdout.indexOf('── outputs'))
    expect(log).toContain("Done: conclusion 'success'")
    expect(run.stdout).not.toContain('::add-mask::demo-key')
    expect(run.stdout).not.toContain('demo-key-not-a-secret')
    expect(log).toContain('(1 ::add-mask:: line hidden: the runner reads it as a command')
  }, 60_000)

  it('says first, in one line, when dist/ is older than src/ and --no-build keeps it', async () => {
    // A scratch repository: this build, dist/ and the dependencies as they are, and a src/ changed since the bundle.
    const scratch = mkdtempSync(join(tmpdir(), 'demo-stale-'))
    try {
      cpSync(BUILD, join(scratch, '.build', 'tests', 'demo-cli'), { recursive: true })
      cpSync(join(ROOT, 'src'), join(scratch, 'src'), { recursive: true })
      cpSync(join(ROOT, 'scripts', 'dist-sources.mjs'), join(scratch, 'scripts', 'dist-sources.mjs'))
      for (const shared of ['node_modules', 'dist', 'action.yml']) symlinkSync(join(ROOT, shared), join(scratch, shared))
      appendFileSync(join(scratch, 'src', 'main.ts'), '// a change not bundled yet\n')
      const run = await runDemo(['--no-build'], join(scratch, '.build', 'tests', 'demo-cli', 'scripts', 'demo.js'))
      expect(run.stdout.split('\n')[0]).toBe(
        'dist/ is older than src/, and --no-build runs it as it is: this shows the old code. Rebuild it with: npm run bundle'
      )
      expect(run.code).toBe(0)
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  }, 60_000)
})
