/**
 * The action's entry, run in this process as the runner runs it: inputs as INPUT_* variables (action.yml's
 * defaults included), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, runner commands on stdout, the exit code in
 * process.exitCode, and real HTTP to the simulator. The end-to-end tests run the bundle; these run src/main.ts.
 */
import { jest } from '@jest/globals'
import * as core from '@actions/core'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../src/main.js'
import { OUTPUT_NAMES } from '../src/report/outputs.js'
import { actionDefaults, parseOutputFile } from '../testing/run-action.js'
import type { MemosSimulator, SimulatorOptions, TaskSpec } from '../simulator/memos-simulator.js'
import { startSimulator, TEST_USER } from '../testing/harness.js'
import { quickInputs } from '../testing/inputs.js'
import { sleep, until } from '../testing/until.js'

const KEY = 'mpg-main-secret-key-4d21b8'
/** Variables of the machine running the tests that would change what the action does. */
const OUTSIDE_VARIABLES = /^(INPUT_|GITHUB_|RUNNER_|MEMOS_|ACTIONS_)|^(https?_proxy|all_proxy|no_proxy)$/i
const DEFAULTS = actionDefaults()

let simulator: MemosSimulator
let dir: string
let savedEnv: NodeJS.ProcessEnv

interface InProcessRun {
  outputs: Record<string, string>
  summary: string
  stdout: string
  /** Every stdout line, in order. */
  lines: string[]
  exitCode: typeof process.exitCode
}

interface RunOptions {
  inputs?: Record<string, string>
  env?: Record<string, string>
  summaryPath?: string
  /** Called once run() has started, with a view of stdout so far; run() is awaited after it returns. */
  during?: (stdout: () => string) => Promise<void>
}

/** How the log and the summary name the simulator. */
function cloudName(): string {
  return `MemOS Cloud (${new URL(simulator.baseUrl).host})`
}

async function startWith(options: SimulatorOptions = {}): Promise<void> {
  simulator = await startSimulator(options)
}

const inputs = (extra: Record<string, string> = {}): Record<string, string> => quickInputs(simulator.baseUrl, KEY, extra)

async function runMain({ inputs: given = inputs(), env = {}, summaryPath, during }: RunOptions = {}): Promise<InProcessRun> {
  const outputPath = join(dir, 'output')
  const summaryFile = summaryPath ?? join(dir, 'summary')
  writeFileSync(outputPath, '')
  if (!summaryPath) writeFileSync(summaryFile, '')
  for (const [name, value] of Object.entries({ ...DEFAULTS, ...given })) {
    process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  Object.assign(process.env, { GITHUB_OUTPUT: outputPath, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTIONS: 'true', ...env })
  for (const [name, value] of Object.entries(env)) if (value === '') delete process.env[name]
  let stdout = ''
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  })
  const running = run()
  if (during) await during(() => stdout)
  await running
  jest.mocked(process.stdout.write).mockRestore()
  let summary = ''
  try {
    summary = readFileSync(summaryFile, 'utf8')
  } catch {
    summary = ''
  }
  return {
    outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
    summary,
    stdout,
    lines: stdout.split('\n').filter((line) => line !== ''),
    exitCode: process.exitCode
  }
}

function expectEveryOutput(outputs: Record<string, string>): void {
  expect(Object.keys(outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
}

beforeEach(() => {
  savedEnv = { ...process.env }
  for (const name of Object.keys(process.env)) if (OUTSIDE_VARIABLES.test(name)) delete process.env[name]
  dir = mkdtempSync(join(tmpdir(), 'memos-main-'))
  process.exitCode = undefined
  // One run per process on a runner: the summary keeps the path it first saw and the text of a failed write.
  ;(core.summary as unknown as { _filePath?: string })._filePath = undefined
  core.summary.emptyBuffer()
})

afterEach(async () => {
  jest.restoreAllMocks()
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
  process.exitCode = undefined
  rmSync(dir, { recursive: true, force: true })
  await simulator?.stop()
})

/** The endings a fail_on_ input can let pass: the task, extra inputs, the conclusion, and that input. */
const ENDINGS: Array<[string, TaskSpec, Record<string, string>, string, string]> = [
  ['a failure', { durationMs: 100, finalStatus: 'failed' }, {}, 'failure', 'fail_on_failure'],
  ['a timeout', { durationMs: 60_000 }, { timeout: '800ms' }, 'timed_out', 'fail_on_timeout']
]

describe('a wait that ends', () => {
  it('sets every output, writes the summary and says what it waited for and how it ended', async () => {
    await startWith({ apiKey: KEY })
    simulator.addTask('task-1', { durationMs: 300 })
    const result = await runMain()
    expectEveryOutput(result.outputs)
    expect(result.outputs).toMatchObject({ conclusion: 'success', status: 'completed', error: '', pending_task_ids: '' })
    expect(JSON.parse(result.outputs.result ?? '')).toMatchObject({ task_id: 'task-1', memory_views: { added: 1 } })
    expect(result.summary).toContain('MemOS task completed')
    // The runner joins the summaries of a job's steps: the next one must start on a line of its own.
    expect(result.summary.endsWith('\n')).toBe(true)
    expect(result.summary).toContain(' · timeout 10m')
    expect(result.summary).toContain(`asked ${cloudName()}.`)
    expect(result.stdout).toContain(`Waiting for MemOS task task-1 on ${cloudName()} (timeout 10m, polling every 100ms up to 30s).\n`)
    expect(result.lines.at(-1)).toMatch(/^Done: conclusion 'success' after \d+(ms|\.\ds)\.$/)
    expect(result.stdout).not.toMatch(/^\n|\n\n/)
    expect(result.stdout).not.toMatch(/::(error|warning)::/)
    expect(result.exitCode).not.toBe(1)
  })

  it('names the number of tasks in a batch, and with timeout 0 checks each once', async () => {
    await startWith({ apiKey: KEY })
    simulator.addTask('a', { durationMs: 0 })
    simulator.addTask('b', { durationMs: 0 })
    const result = await runMain({ inputs: inputs({ task_id: 'a, b', timeout: '0', interval: '2s', max_interval: '1m' }) })
    expect(result.outputs.conclusion).toBe('success')
    expect(result.stdout).toContain(`Waiting for 2 MemOS tasks on ${cloudName()} (timeout 0: check once, polling every 2s up to 1m).\n`)
    expect(result.summary).toContain('timeout 0 (checked once)')
    expect(result.exitCode).not.toBe(1)
  })

  it('names the self-hosted server it asks, and passes a self-hosted failure into the summary', async () => {
    await startWith({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 100, finalStatus: 'failed' })
    const result = await runMain({
      inputs: { task_id: 'task-1', api: 'self-hosted', user_id: TEST_USER, base_url: simulator.baseUrl, interval: '100ms' }
    })
    expect(result.outputs.conclusion).toBe('failure')
    expect(result.stdout).toContain(`on the self-hosted MemOS server at ${new URL(simulator.baseUrl).host} (`)
    expect(result.summary).toContain("in the MemOS server's log")
    // Without a key nothing is masked, and nothing is mangled by removing an empty key.
    expect(result.stdout).not.toContain('::add-mask::')
    expect(result.outputs.failed_task_ids).toBe('task-1')
  })

  it.each(ENDINGS)('%s fails the step with an error annotation by default', async (_name, task, extra, conclusion) => {
    await startWith({ apiKey: KEY })
    simulator.addTask('task-1', task)
    const result = await runMain({ inputs: inputs(extra) })
    expectEveryOutput(result.outputs)
    expect(result.outputs.conclusion).toBe(conclusion)
    expect(result.outputs.error).not.toBe('')
    expect(result.stdout).toContain(`::error::${result.outputs.error}\n`)
    expect(result.stdout).not.toContain('::warning::')
    expect(result.stdout).not.toContain('Done:')
    expect(result.exitCode).toBe(1)
  })

  it.each(ENDINGS)('%s passes with a warning when its fail_on_ input is false', async (_name, task, extra, conclusion, input) => {
    await startWith({ apiKey: KEY })
    simulator.addTask('task-1', task)
    const result = await runMain({ inputs: inputs({ ...extra, [input]: 'false' }) })
    expectEveryOutput(result.outputs)
    expect(result.outputs.conclusion).toBe(conclusion)
    expect(result.stdout).toContain(`::warning::${result.outputs.error} The step passes because ${input} is false.\n`)
    expect(result.stdout).not.toContain('::error::')
    expect(result.stdout).not.toContain('Done:')
    expect(result.exitCode).not.toBe(1)
  })

  it('still fails the step on an error, whatever the fail_on_ inputs say', async () => {
    await startWith({ apiKey: KEY })
    const result = await runMain({ inputs: inputs({ fail_on_failure: 'false', fail_on_timeout: 'false', not_found_grace: '300ms' }) })
    expect(result.outputs.conclusion).toBe('error')
    expect(result.stdout).toContain(`::error::${result.outputs.error}\n`)
    expect(result.exitCode).toBe(1)
  })
})

describe('bad inputs', () => {
  it.each([
    ['a timeout that is no duration', { timeout: 'abc' }, "Input 'timeout' has an invalid duration 'abc'", ['task-1']],
    ['no task id', { task_id: '' }, "Input 'task_id' or 'task_id_file' is required", []],
    [
      "the 'null' a failed step wrote for its task id",
      { task_id: 'null' },
      "Input 'task_id' has the id 'null', which is what a script writes for a missing value or an object, not a task id.",
      []
    ],
    [
      'a bad rate with two ids',
      { task_id: 'a, b', max_requests_per_second: 'lots' },
      "Input 'max_requests_per_second' is 'lots'",
      ['a', 'b']
    ]
  ])('%s: every output and an error summary, the input named, and exit code 1', async (_name, extra, message, pending) => {
    await startWith({ apiKey: KEY })
    const result = await runMain({ inputs: inputs(extra) })
    expect(simulator.requests).toEqual([])
    expectEveryOutput(result.outputs)
    expect(result.outputs).toMatchObject({ conclusion: 'error', pending_task_ids: pending.join(','), failed_task_ids: '' })
    expect(result.outputs.error).toContain(message)
    expect(result.outputs.duration_ms).toMatch(/^\d+$/)
    expect(Number(result.outputs.duration_ms)).toBeLessThan(1000)
    expect(result.summary).toContain('could not run')
    expect(result.summary).toContain(message)
    expect(result.stdout).toContain(`::error::${message}`)
    expect(result.stdout).not.toContain('Waiting for')
    expect(result.exitCode).toBe(1)
  })

  it('lists every problem at once', async () => {
    await startWith({ apiKey: KEY })
    const result = await runMain({ inputs: inputs({ timeout: 'abc', fail_fast: 'maybe' }) })
    expect(result.outputs.error).toContain("- Input 'timeout' has an invalid duration 'abc'")
    expect(result.outputs.error).toContain("- Input 'fail_fast' is 'maybe'")
    expect(result.exitCode).toBe(1)
  })

  it('warns about an input that has no effect, and still waits', async () => {
    await startWith({ apiKey: KEY })
    simulator.addTask('task-1', { durationMs: 0 })
    const result = await runMain({ inputs: inputs({ user_id: 'someone' }) })
    expect(result.outputs.conclusion).toBe('success')
    expect(result.stdout).toContain("::warning::Input 'user_id' ('someone') is not used with 'api: cloud'")
  })
})

describe('the API key', () => {
  it('is masked before anything else is written, on a runner', async () => {
    await startWith({ apiKey: KEY })
    const result = await runMain({ inputs: inputs({ interval: 'x' }) })
    expect(result.lines[0]).toBe(`::add-mask::${KEY}`)
    expect(result.lines.filter((line) => line.startsWith('::add-mask::'))).toHaveLength(1)
  })

  it.each([
    ['unset', ''],
    ['false', 'false']
  ])('is never written outside a runner (GITHUB_ACTIONS %s), not even to mask it', async (_name, githubActions) => {
    await startWith({ apiKey: KEY })
    simulator.addTask('task-1', { durationMs: 0, data: { echoed_key: KEY } })
    const result = await runMain({ env: { GITHUB_ACTIONS: githubActions } })
    expect(result.outputs.conclusion).toBe('success')
    expect(result.stdout).not.toContain('::add-mask::')
    expect(result.stdout).not.toContain(KEY)
    expect(result.outputs.result).toContain('***')
  })

  it('comes from MEMOS_API_KEY when the input is empty, and is masked trimmed', async () => {
    await startWith({ apiKey: KEY })
    simulator.addTask('task-1', { durationMs: 0, data: { echoed_key: KEY } })
    const result = await runMain({ inputs: inputs({ api_key: '' }), env: { MEMOS_API_KEY: ` ${KEY} ` } })
    expect(result.outputs.conclusion).toBe('success')
    expect(result.lines[0]).toBe(`::add-mask::${KEY}`)
    expect(result.outputs.result).not.toContain(KEY)
  })

  it.each([
    ['as it is', KEY],
    ['with a quote and a backslash, also JSON-escaped', 'mpg-"main"\\secret-4d21b8']
  ])('never appears in outputs, summary or log, %s, even with debug logging and a server that echoes it', async (_name, key) => {
    await startWith({ apiKey: key })
    simulator.addTask('task-1', {
      durationMs: 400,
      phases: [{ afterMs: 0, status: `queued for ${key}` }],
      data: { echoed_key: key, note: `Token ${key}` }
    })
    simulator.injectFault({ kind: 'code', code: 50000, message: `internal error for key ${key}` })
    const result = await runMain({ inputs: inputs({ api_key: key }), env: { RUNNER_DEBUG: '1' } })
    expect(result.outputs.conclusion).toBe('success')
    expect(result.stdout).toContain(`::debug::Endpoint: POST ${simulator.baseUrl}/get/status\n`)
    expect(result.stdout).toMatch(/^::debug::.*attempt 1 took/m)
    expect(result.stdout).toMatch(/^::warning::.*internal error for key \*\*\*/m)
    expect(result.stdout).toMatch(/^queued for \*\*\* \(/m)
    const escaped = JSON.stringify(key).slice(1, -1)
    for (const secret of new Set([key, escaped])) {
      const lines = result.lines.filter((line) => line.includes(secret))
      expect(lines).toEqual(secret === key ? [`::add-mask::${key}`] : [])
      expect(result.summary).not.toContain(secret)
      for (const value of Object.values(result.outputs)) expect(value).not.toContain(secret)
    }
    expect(JSON.parse(result.outputs.result ?? '')).toMatchObject({ echoed_key: '***', note: 'Token ***' })
    expect(result.summary).toContain('***')
  })

  it('is removed from an error the server gives for it', async () => {
    await startWith({ apiKey: KEY })
    simulator.injectFault({ kind: 'code', code: 40132, message: `key ${KEY} is not valid` })
    const result = await runMain()
    expect(result.outputs.conclusion).toBe('error')
    expect(result.outputs.error).toContain('key *** is not valid')
    expect(result.stdout).toContain('::error::')
    expect(result.lines.filter((line) => line.includes(KEY))).toEqual([`::add-mask::${KEY}`])
    expect(result.summary).not.toContain(KEY)
    expect(result.exitCode).toBe(1)
  })

  // The server's message is quoted up to 199 characters and a '…': the padding puts the cut that far into the key.
  it.each([
    ['18 characters', 180, '***…'],
    ['4 characters, the shortest start that counts as the key', 194, '***…'],
    ['3 characters, which stay as ordinary text', 195, `${KEY.slice(0, 3)}…`]
  ])('is removed also where a cut ends the server text in the middle of the key: %s in', async (_name, padding, shown) => {
    await startWith({ apiKey: KEY })
    simulator.injectFault({ kind: 'code', code: 40132, message: `${'x'.repeat(padding)} ${KEY} is not valid` })
    const result = await runMain()
    expect(result.outputs.conclusion).toBe('error')
    expect(result.outputs.error).toContain(`${'x'.repeat(padding)} ${shown}`)
    const start = KEY.slice(0, 4)
    expect(result.lines.filter((line) => line.includes(start))).toEqual([`::add-mask::${KEY}`])
    expect(result.summary).not.toContain(start)
    for (const value of Object.values(result.outputs)) expect(value).not.toContain(start)
  })

  it('is removed when it is exactly as long as the shortest key the inputs accept', async () => {
    const key = 'k8-chars'
    await startWith({ apiKey: key })
    simulator.injectFault({ kind: 'code', code: 40132, message: `key ${key} is not valid` })
    const result = await runMain({ inputs: quickInputs(simulator.baseUrl, key) })
    expect(result.outputs.error).toContain('key *** is not valid')
    expect(result.summary).not.toContain(key)
  })

  it('leaves the error alone when the key is too short to be a key, though it is masked', async () => {
    await startWith()
    const result = await runMain({ inputs: inputs({ api_key: 'e' }) })
    expect(result.lines[0]).toBe('::add-mask::e')
    expect(result.outputs.error).toBe("Input 'api_key' is only 1 character long; check that the secret holds the whole key.")
    expect(result.summary).toContain("Input 'api_key' is only 1 character long")
  })

  it('never hides a conclusion that happens to spell the key', async () => {
    const key = 'timed_out'
    await startWith({ apiKey: key })
    simulator.addTask('task-1', { durationMs: 60_000 })
    const result = await runMain({ inputs: inputs({ api_key: key, timeout: '300ms' }) })
    expect(result.outputs.conclusion).toBe('timed_out')
    expect(result.exitCode).toBe(1)
  })
})

describe('the job summary', () => {
  it('cannot be written: a warning, and the outputs and exit code are still set', async () => {
    await startWith({ apiKey: KEY })
    simulator.addTask('task-1', { durationMs: 0 })
    const result = await runMain({ summaryPath: dir })
    expect(result.outputs.conclusion).toBe('success')
    expectEveryOutput(result.outputs)
    // Under Jest, Node's own errors come from another realm than the test's Error, and print with their name.
    expect(result.stdout).toMatch(/^::warning::Could not write the job summary: (Error: )?EISDIR: illegal operation on a directory/m)
    expect(result.exitCode).not.toBe(1)
  })

  it('cannot be written for a bad input either', async () => {
    await startWith({ apiKey: KEY })
    const result = await runMain({ inputs: inputs({ timeout: 'abc' }), summaryPath: join(dir, 'no-such-dir', 'summary') })
    expect(result.outputs.conclusion).toBe('error')
    expect(result.stdout).toMatch(/^::warning::Could not write the job summary: Unable to access summary file: /m)
    expect(result.exitCode).toBe(1)
  })
})

describe('cancellation', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s, ends the wait, writes the results, fails the step, and exits within a second',
    async (signal) => {
      await startWith({ apiKey: KEY })
      simulator.addTask('task-1', { durationMs: 60_000 })
      let exitedAt: number | undefined
      const exit = jest.spyOn(process, 'exit').mockImplementation(() => {
        exitedAt = performance.now()
        return undefined as never
      })
      const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') }
      let signalledAt: number | undefined
      try {
        // A short timeout: should the signal never come, the wait still ends soon after the test.
        const result = await runMain({
          inputs: inputs({ timeout: '5s' }),
          during: async (stdout) => {
            await until(() => stdout().includes('running ('), 'the first status', 5000)
            const added = process.listeners(signal).filter((listener) => !before[signal].includes(listener))
            expect(added).toHaveLength(1)
            signalledAt = performance.now()
            for (const listener of added) listener(signal)
          }
        })
        // Long before the 5 s timeout: the signal ended the wait.
        expect(performance.now() - (signalledAt ?? 0)).toBeLessThan(3000)
        expectEveryOutput(result.outputs)
        expect(result.outputs).toMatchObject({ conclusion: 'cancelled', status: 'running', pending_task_ids: 'task-1' })
        expect(result.summary).toContain('cancelled')
        expect(result.stdout).toContain(`Received ${signal}: stopping the wait and writing the results.\n`)
        expect(result.exitCode).toBe(1)
        expect(process.listeners('SIGINT')).toEqual(before.SIGINT)
        expect(process.listeners('SIGTERM')).toEqual(before.SIGTERM)
        // The watchdog: should writing the results hang, the process still ends soon after the signal.
        await until(() => exit.mock.calls.length > 0, 'the exit', 3000)
        expect(exit.mock.calls).toEqual([[1]])
        expect((exitedAt ?? 0) - (signalledAt ?? 0)).toBeGreaterThanOrEqual(850)
      } finally {
        // Even when an expectation failed, the watchdog must fire while process.exit is still a mock.
        const left = signalledAt === undefined ? 0 : signalledAt + 2000 - performance.now()
        if (left > 0) await sleep(left)
      }
    }
  )

  it('listens for signals only while it runs', async () => {
    await startWith({ apiKey: KEY })
    simulator.addTask('task-1', { durationMs: 200 })
    const counts = (): number[] => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]
    const before = counts()
    let whileRunning: number[] = []
    await runMain({
      during: async () => {
        whileRunning = counts()
      }
    })
    expect(whileRunning).toEqual(before.map((count) => count + 1))
    expect(counts()).toEqual(before)
  })
})

describe('after the wait', () => {
  it('leaves no connection open, so that the step ends at once', async () => {
    await startWith({ apiKey: KEY })
    simulator.addTask('task-1', { durationMs: 300 })
    await runMain()
    // This server's own count: sockets that other tests left behind cannot make it look closed. It keeps an idle
    // connection for 30 s, so only the step's close() ends it within the second.
    await until(() => simulator.openConnections === 0, 'the connections closed', 1000)
    expect(simulator.openConnections).toBe(0)
  })
})

describe('an answer nested too deep to report', () => {
  it('is malformed and retried: the step still ends with every output and a summary', async () => {
    await startWith({ apiKey: KEY })
    simulator.addTask('task-1', { durationMs: 0 })
    // Parsed, this would reach the outputs' JSON.stringify, which throws on a few thousand levels.
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`
    const body = `{"code":0,"message":"ok","data":{"task_id":"task-1","status":"completed","extra":${deep}}}`
    simulator.injectFault({ kind: 'body', body })
    const result = await runMain()
    expectEveryOutput(result.outputs)
    expect(result.outputs).toMatchObject({ conclusion: 'success', status: 'completed', error: '' })
    expect(result.summary).toContain('MemOS task completed')
    expect(simulator.statusRequests('task-1')).toHaveLength(2)
    expect(result.stdout).toContain(`HTTP 200, application/json, JSON nested deeper than 64 levels: '{"code":0,`)
  })
})
