/** `npm run simulator`, as a user starts it for a first local run: compiled, spawned, and talked to over HTTP. */
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { ROOT } from '../../testing/run-action.js'
import { sleep } from '../../testing/until.js'
import { compileTools } from './compile-tools.js'

const CLI = join(ROOT, '.build', 'tests', 'simulator-cli', 'simulator', 'cli.js')

beforeAll(() => compileTools('simulator-cli'))

interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI to its end, or until stdout contains `until`; then stops it. */
function runCli(args: string[], until?: string): Promise<CliRun & { stop(): Promise<void> }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM')
    await exited
  }
  return new Promise((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (until && stdout.includes(until)) resolve({ code: null, stdout, stderr, stop })
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    void exited.then((code) => resolve({ code, stdout, stderr, stop }))
  })
}

async function statusOf(baseUrl: string, key: string, taskId: string): Promise<string> {
  const response = await fetch(`${baseUrl}/get/status`, {
    method: 'POST',
    headers: { Authorization: `Token ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ task_id: taskId })
  })
  const body = (await response.json()) as { data: { status: string } }
  return body.data.status
}

describe('npm run simulator', () => {
  it('explains every option with --help', async () => {
    const run = await runCli(['--help'])
    expect(run.code).toBe(0)
    for (const option of ['--port PORT', '--host HOST', '--key KEY', '--task ID=DURATION_MS[:FINAL_STATUS]', '-h, --help']) {
      expect(run.stdout).toContain(option)
    }
  })

  it('prints its key, its base URL and a .env snippet, and starts a task’s clock at its first poll', async () => {
    const run = await runCli(['--port', '0', '--key', 'my-local-key-1', '--task', 'build-1=400'], 'Ctrl+C')
    try {
      const baseUrl = /^INPUT_BASE_URL=(http:\/\/127\.0\.0\.1:\d+\/api\/openmem\/v1)$/m.exec(run.stdout)?.[1] ?? ''
      expect(baseUrl).not.toBe('')
      expect(run.stdout).toMatch(/^INPUT_API_KEY=my-local-key-1$/m)
      expect(run.stdout).toMatch(/^INPUT_TASK_ID=build-1$/m)
      expect(run.stdout).toContain('api_key: my-local-key-1 (the only key it accepts)')
      // Longer than the task's duration passes before the first poll: the task still runs its whole time.
      await sleep(600)
      expect(await statusOf(baseUrl, 'my-local-key-1', 'build-1')).toBe('running')
      await sleep(450)
      expect(await statusOf(baseUrl, 'my-local-key-1', 'build-1')).toBe('completed')
    } finally {
      await run.stop()
    }
  })

  it.each([
    ['an unknown option', ['--prot', '1'], /^simulator: Unknown option '--prot'.*\(see --help\)$/],
    ['a bad --task', ['--task', 'x'], /^simulator: --task must look like ID=DURATION_MS\[:FINAL_STATUS\], got 'x'$/],
    ['a port that is not a number', ['--port', 'http'], /^simulator: --port must be a port number from 0 to 65535, got 'http'$/]
  ])('fails on %s with one line', async (_name, args, expected) => {
    const run = await runCli(args)
    expect(run.code).toBe(2)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr.trim()).toMatch(expected)
  })

  it('fails with one clear line, not a stack trace, when its port is in use', async () => {
    const holder: Server = createServer()
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done))
    const port = (holder.address() as { port: number }).port
    try {
      const run = await runCli(['--port', String(port)])
      expect(run.code).toBe(2)
      expect(run.stderr).toBe(
        `simulator: port ${port} on 127.0.0.1 is in use; stop what holds it, or pick another with --port (0: any free port).\n`
      )
      expect(run.stdout).toBe('')
    } finally {
      holder.close()
    }
  })
})
