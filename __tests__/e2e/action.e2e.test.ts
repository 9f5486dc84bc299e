/**
 * End-to-end: the built dist/index.js, run as the Actions runner runs it, against the simulator.
 * `npm run test:e2e:node24` runs this file again under Node 24, the runtime action.yml declares.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_USER_ID, MemosSimulator, peakInWindow } from '../../simulator/memos-simulator.js'
import { OUTPUT_NAMES } from '../../src/report/outputs.js'
import { NODE_VERSION, runAction } from '../../testing/run-action.js'
import { render } from '../../testing/rendered.js'
import { quickInputs } from '../../testing/inputs.js'
import { sleep } from '../../testing/until.js'

const KEY = 'mpg-e2e-secret-key-7f3a9c'
let simulator: MemosSimulator

beforeEach(async () => {
  // Each task's clock starts at its first poll, so a slow process start on a busy machine cannot skip its running phase.
  simulator = new MemosSimulator({ apiKey: KEY, clockStartsAtFirstPoll: true })
  await simulator.start()
})

afterEach(async () => {
  await simulator.stop()
})

const inputs = (extra: Record<string, string> = {}): Record<string, string> => quickInputs(simulator.baseUrl, KEY, extra)

function expectEveryOutput(outputs: Record<string, string>): void {
  expect(Object.keys(outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
}

describe(`dist/index.js on Node ${NODE_VERSION}`, () => {
  it('waits for a task to complete, sets every output and writes the summary', async () => {
    simulator.addTask('task-1', { durationMs: 1500 })
    const run = await runAction({ inputs: inputs() })
    expect(run.code).toBe(0)
    expectEveryOutput(run.outputs)
    expect(run.outputs).toMatchObject({ conclusion: 'success', status: 'completed', failed_task_ids: '', pending_task_ids: '', error: '' })
    expect(JSON.parse(run.outputs.result ?? '')).toMatchObject({ task_id: 'task-1', status: 'completed', memory_views: { added: 1 } })
    const [task] = JSON.parse(run.outputs.tasks ?? '')
    expect(task).toMatchObject({ task_id: 'task-1', status: 'completed', conclusion: 'success', error: '' })
    expect(Object.keys(task).sort()).toEqual(['attempts', 'conclusion', 'data', 'duration_ms', 'error', 'status', 'task_id'])
    expect(Number(run.outputs.attempts)).toBe(simulator.statusRequests().length)
    const requests = simulator.statusRequests()
    const firstToLast = (requests.at(-1)?.at ?? 0) - (requests[0]?.at ?? 0)
    expect(Number(run.outputs.duration_ms)).toBeGreaterThanOrEqual(Math.floor(firstToLast))
    expect(Number(run.outputs.duration_ms)).toBeLessThan(run.elapsedMs)
    const summary = render(run.summary)
    expect(summary.headings()[0]).toBe('✅ MemOS task completed')
    expect(summary.tables()[0]?.rows[0]?.slice(0, 3)).toEqual(['task-1', '✅ completed', 'completed'])
    expect(summary.visibleText()).toContain('Memories: +1 added')
    expect(run.stdout).toMatch(/^running \(\d+ms\)$/m)
    expect(run.stdout).toMatch(/^completed \(\d+(ms|\.\ds)\)$/m)
  })

  it.each([
    ['failure fails the step by default', { durationMs: 100, finalStatus: 'failed' }, {}, 'failure', 1],
    ['failure passes with fail_on_failure: false', { durationMs: 100, finalStatus: 'failed' }, { fail_on_failure: 'false' }, 'failure', 0],
    ['a timeout fails the step by default', { durationMs: 60_000 }, { timeout: '1500ms' }, 'timed_out', 1],
    [
      'a timeout passes with fail_on_timeout: false',
      { durationMs: 60_000 },
      { timeout: '1500ms', fail_on_timeout: 'false' },
      'timed_out',
      0
    ]
  ])('exit code: %s', async (_name, task, extra, conclusion, code) => {
    simulator.addTask('task-1', task)
    const run = await runAction({ inputs: inputs(extra) })
    expect(run.outputs.conclusion).toBe(conclusion)
    expect(run.code).toBe(code)
    expectEveryOutput(run.outputs)
    if (code === 1) expect(run.stdout).toContain(`::error::${run.outputs.error}`)
    else expect(run.stdout).toContain('::warning::')
  })

  it('rejects a bad input before any request, names it, quotes the value, and still sets every output', async () => {
    const run = await runAction({ inputs: inputs({ timeout: 'ten minutes' }) })
    expect(run.code).toBe(1)
    expect(simulator.requests).toEqual([])
    expect(run.stdout).toContain("::error::Input 'timeout' has an invalid duration 'ten minutes'")
    expectEveryOutput(run.outputs)
    expect(run.outputs.conclusion).toBe('error')
    expect(run.outputs.error).toContain("Input 'timeout'")
    expect(run.summary).toContain('could not run')
  })

  it('still lists the ids it read as not waited for when another input is bad', async () => {
    const run = await runAction({ inputs: inputs({ task_id: 'a, b', max_requests_per_second: 'lots' }) })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ conclusion: 'error', pending_task_ids: 'a,b', failed_task_ids: '' })
    expect(
      JSON.parse(run.outputs.tasks ?? '').map((task: { task_id: string; conclusion: string }) => [task.task_id, task.conclusion])
    ).toEqual([
      ['a', 'pending'],
      ['b', 'pending']
    ])
  })

  it('always fails the step on error, whatever fail_on_failure says', async () => {
    const run = await runAction({ inputs: inputs({ fail_on_failure: 'false', fail_on_timeout: 'false', not_found_grace: '300ms' }) })
    expect(run.code).toBe(1)
    expect(run.outputs.conclusion).toBe('error')
    expect(run.outputs.error).toContain('Task task-1 was not found')
  })

  it('reads the key from MEMOS_API_KEY and the URL from MEMOS_BASE_URL when the inputs are empty', async () => {
    simulator.addTask('task-1', { durationMs: 0 })
    const run = await runAction({
      inputs: { task_id: 'task-1', interval: '100ms' },
      env: { MEMOS_API_KEY: KEY, MEMOS_BASE_URL: simulator.baseUrl }
    })
    expect(run.outputs.conclusion).toBe('success')
  })

  it('never prints, summarises or outputs the key, even with debug logging and a server that echoes it', async () => {
    simulator.addTask('task-1', { durationMs: 300, data: { echoed_key: KEY, note: `Token ${KEY}` } })
    simulator.injectFault({ kind: 'code', code: 50000, message: `internal error for key ${KEY}` })
    const run = await runAction({ inputs: inputs(), env: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' } })
    expect(run.outputs.conclusion).toBe('success')
    expect(run.stdout).toContain('::debug::')
    // The only place the key may appear is the command that tells the runner to mask it.
    const lines = run.stdout.split('\n').filter((line) => line.includes(KEY))
    expect(lines).toEqual([`::add-mask::${KEY}`])
    expect(run.stderr).not.toContain(KEY)
    expect(run.summary).not.toContain(KEY)
    for (const value of Object.values(run.outputs)) expect(value).not.toContain(KEY)
    expect(run.outputs.result).toContain('***')
  })

  it.each([
    ['unset', ''],
    ['false', 'false']
  ])('outside a runner (GITHUB_ACTIONS %s), never prints the key, not even to mask it', async (_name, githubActions) => {
    simulator.addTask('task-1', { durationMs: 300, data: { echoed_key: KEY } })
    simulator.injectFault({ kind: 'code', code: 50000, message: `internal error for key ${KEY}` })
    const run = await runAction({ inputs: inputs(), env: { GITHUB_ACTIONS: githubActions, ACTIONS_STEP_DEBUG: 'true' } })
    expect(run.outputs.conclusion).toBe('success')
    expect(run.stdout).not.toContain('::add-mask::')
    expect(run.stdout).not.toContain(KEY)
    expect(run.stderr).not.toContain(KEY)
  })

  it('masks the key before anything else is printed, even when the inputs are bad', async () => {
    const run = await runAction({ inputs: inputs({ interval: 'x' }) })
    expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${KEY}`)
  })

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s, stops at once, concludes cancelled, writes outputs and summary, and exits non-zero',
    async (signal) => {
      simulator.addTask('task-1', { durationMs: 60_000 })
      const run = await runAction({ inputs: inputs(), signal: { name: signal, when: 'running (' } })
      expect(run.code).toBe(1)
      // The watchdog ends the process 900 ms after the signal; the rest is room for a busy machine. Without the
      // signal handling the step would wait on for the task's whole minute.
      expect(run.exitAfterSignalMs).toBeLessThan(3000)
      expectEveryOutput(run.outputs)
      expect(run.outputs).toMatchObject({ conclusion: 'cancelled', status: 'running', pending_task_ids: 'task-1' })
      expect(run.summary).toContain('🚫 Wait for MemOS task cancelled')
    }
  )

  it('escapes hostile statuses and data from the server in the summary', async () => {
    const hostile = '<img src=x onerror=alert(1)>[click](https://evil.example)|**x**'
    simulator.addTask('task-1', {
      durationMs: 1500,
      phases: [{ afterMs: 0, status: hostile }],
      data: { note: '</pre></details><script>alert(1)</script>' }
    })
    const run = await runAction({ inputs: inputs() })
    expect(run.outputs.conclusion).toBe('success')
    expect(run.stdout).toContain(`::warning::MemOS reported an unknown status '${hostile}'`)
    expect(run.summary).not.toMatch(/<img|<script/)
    // As GitHub renders it: the status reads as itself in the timeline, with no element of its own.
    const summary = render(run.summary)
    expect(summary.lines().filter((line) => line.endsWith(`: ${hostile}`))).toHaveLength(1)
    expect(summary.count('a') + summary.count('img') + summary.count('script')).toBe(0)
    expect(summary.html).not.toMatch(/<(strong|em)>x<\/(strong|em)>/)
  })

  it('keeps the result when the summary cannot be written', async () => {
    simulator.addTask('task-1', { durationMs: 0 })
    const run = await runAction({ inputs: inputs(), summaryPath: '/proc/no-such-dir/summary' })
    expect(run.code).toBe(0)
    expect(run.outputs.conclusion).toBe('success')
    expect(run.stdout).toContain('::warning::Could not write the job summary')
  })

  it('waits for a batch of 100 ids from a block scalar, in input order, under the rate cap', async () => {
    const ids = Array.from({ length: 100 }, (_, index) => `batch-${String(index).padStart(3, '0')}`)
    ids.forEach((id, index) =>
      simulator.addTask(id, { durationMs: 200 + (index % 10) * 100, finalStatus: id === 'batch-042' ? 'failed' : 'completed' })
    )
    const blockScalar = `${ids.slice(0, 50).join('\n')}\n${ids.slice(50).join(', ')}\n${ids[7]}\n`
    const run = await runAction({ inputs: inputs({ task_id: blockScalar, fail_fast: 'false', max_requests_per_second: '50' }) })
    expect(run.code).toBe(1)
    const tasks = JSON.parse(run.outputs.tasks ?? '') as Array<{ task_id: string; conclusion: string }>
    expect(tasks.map((task) => task.task_id)).toEqual(ids)
    expect(run.outputs).toMatchObject({ conclusion: 'failure', failed_task_ids: 'batch-042', pending_task_ids: '' })
    expect(run.outputs.status?.split(',')).toHaveLength(100)
    expect(JSON.parse(run.outputs.result ?? '')).toHaveLength(100)
    expect(run.summary).toContain('## ❌ 1 of 100 MemOS tasks failed')
    expect(run.summary).toContain('99 completed ·')
    // Unsuccessful tasks come first in the summary table.
    expect(run.summary.indexOf('| batch-042 |')).toBeLessThan(run.summary.indexOf('| batch-000 |'))
  })

  it('handles 1,000 ids under the rate cap and exits as soon as the last one is done', async () => {
    const ids = Array.from({ length: 1000 }, (_, index) => `k${index}`)
    ids.forEach((id, index) => simulator.addTask(id, { durationMs: (index * 7919) % 1500 }))
    const run = await runAction({ inputs: inputs({ task_id: ids.join(','), max_requests_per_second: '400' }) })
    expect(run.code).toBe(0)
    expect(run.summary).toContain('## ✅ 1000 MemOS tasks completed')
    const requests = simulator.statusRequests()
    expect(peakInWindow(requests, 1000)).toBeLessThanOrEqual(400)
    // A socket or timer left behind would hold the process for seconds (the simulator keeps connections
    // open for 30 s); the bound is loose so that a busy machine cannot fail it.
    const lastAnswer = Math.max(...requests.map((request) => request.answeredAt ?? 0))
    const exitedAt = performance.timeOrigin + performance.now()
    expect(exitedAt - lastAnswer).toBeLessThan(5000)
  })

  it('waits for 10,000 ids from task_id_file, and keeps every output under 1 MB and the summary under 1 MiB', async () => {
    const ids = Array.from({ length: 10_000 }, () => randomUUID())
    ids.forEach((id, index) => {
      // 8,000 completed, 1,000 failed and 1,000 still running when each has been checked once.
      if (index % 10 === 3) simulator.addTask(id, { durationMs: 0, finalStatus: 'failed' })
      else if (index % 10 === 7) simulator.addTask(id, { durationMs: 600_000 })
      else simulator.addTask(id, { durationMs: 0 })
    })
    const workspace = mkdtempSync(join(tmpdir(), 'memos-workspace-'))
    try {
      writeFileSync(join(workspace, 'import-task-ids.txt'), `${ids.join('\n')}\n`)
      const run = await runAction({
        // The id in task_id comes first, and is polled once although the file holds it too.
        inputs: inputs({
          task_id: ids[9_997] ?? '',
          task_id_file: 'import-task-ids.txt',
          timeout: '0',
          fail_fast: 'false',
          max_requests_per_second: '1000'
        }),
        env: { GITHUB_WORKSPACE: workspace }
      })
      expect(run.code).toBe(1)
      expectEveryOutput(run.outputs)
      for (const [name, value] of Object.entries(run.outputs)) expect([name, Buffer.byteLength(value) < 1_000_000]).toEqual([name, true])
      expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024)
      expect(Number(run.outputs.attempts)).toBe(10_000)
      expect(simulator.statusRequests()).toHaveLength(10_000)
      const statuses = run.outputs.status?.split(',') ?? []
      expect(statuses).toHaveLength(10_000)
      expect(statuses[0]).toBe('running')
      expect(run.outputs.failed_task_ids?.split(',')).toEqual(ids.filter((_, index) => index % 10 === 3))
      expect(run.outputs.pending_task_ids?.split(',')).toEqual([
        ids[9_997],
        ...ids.filter((_, index) => index % 10 === 7 && index !== 9_997)
      ])
      expect(run.outputs.conclusion).toBe('failure')
      expect(run.summary).toContain('## ❌ 1000 of 10000 MemOS tasks failed, 1000 still running at the timeout')
      expect(run.summary).toContain('8000 completed · ')
      expect(run.stdout).toMatch(/^The tasks output lists \d+ of 10000 tasks, those that did not succeed first/m)
      // Hundreds of requests in flight at once, each listening for the wait's abort: Node must see no leak.
      expect(run.stderr).not.toContain('MaxListenersExceededWarning')
    } finally {
      rmSync(workspace, { recursive: true, force: true })
    }
  }, 120_000)
})

describe(`dist/index.js against a self-hosted server, on Node ${NODE_VERSION}`, () => {
  let server: MemosSimulator

  beforeEach(async () => {
    server = new MemosSimulator({ api: 'self-hosted', clockStartsAtFirstPoll: true })
    await server.start()
  })

  afterEach(async () => {
    await server.stop()
  })

  const selfHosted = (extra: Record<string, string> = {}): Record<string, string> => ({
    task_id: 'task-1',
    api: 'self-hosted',
    user_id: DEFAULT_USER_ID,
    base_url: server.baseUrl,
    interval: '100ms',
    ...extra
  })

  it('waits for a task with api: self-hosted and no key, and says which server it asked', async () => {
    server.addTask('task-1', { durationMs: 1500 })
    const run = await runAction({ inputs: selfHosted(), env: { MEMOS_API_KEY: KEY } })
    expect(run.code).toBe(0)
    expectEveryOutput(run.outputs)
    expect(run.outputs).toMatchObject({ conclusion: 'success', status: 'completed', error: '' })
    expect(JSON.parse(run.outputs.result ?? '')).toEqual({ task_id: 'task-1', status: 'completed' })
    const host = new URL(server.baseUrl).host
    expect(run.stdout).toContain(`Waiting for MemOS task task-1 on the self-hosted MemOS server at ${host} `)
    expect(run.summary).toContain('the self-hosted MemOS server at 127.0.0.1')
    // MEMOS_API_KEY is a cloud key: a self-hosted server, which logs every header, never sees it.
    for (const request of server.statusRequests()) expect(request.headers.authorization).toBeUndefined()
    expect(run.stdout).toMatch(/^in_progress \(\d+ms\)$/m)
  })

  it("listens to the server's wait stream by default, closes it at the end, and exits at once", async () => {
    server.addTask('task-1', { durationMs: 2500 })
    const run = await runAction({ inputs: selfHosted({ max_interval: '5s' }) })
    const exitedAt = performance.timeOrigin + performance.now()
    expect(run.outputs.conclusion).toBe('success')
    expect(server.streamRequests()).toHaveLength(1)
    // The schedule alone would poll about 20 times in 2.5 s at these settings.
    expect(server.statusRequests().length).toBeLessThanOrEqual(3)
    // A stream left open would hold the process; the bound is loose so that a busy machine cannot fail it.
    const lastAnswer = Math.max(...server.statusRequests().map((request) => request.answeredAt ?? 0))
    expect(exitedAt - lastAnswer).toBeLessThan(1000)
    // The server learns of the closed connection a moment after the process is gone.
    await sleep(100)
    expect(server.openStreams).toBe(0)
  })

  it('on SIGTERM with the stream open, stops at once and still writes everything', async () => {
    server.addTask('task-1', { durationMs: 60_000 })
    const run = await runAction({ inputs: selfHosted(), signal: { name: 'SIGTERM', when: 'in_progress (' } })
    expect(run.code).toBe(1)
    // The watchdog ends the process 900 ms after the signal; the rest is room for a busy machine. Without the
    // signal handling the step would wait on for the task's whole minute.
    expect(run.exitAfterSignalMs).toBeLessThan(3000)
    expectEveryOutput(run.outputs)
    expect(run.outputs).toMatchObject({ conclusion: 'cancelled', pending_task_ids: 'task-1' })
  })

  it('ends with an error naming the task, the user and the Redis requirement when the server does not know the task', async () => {
    const run = await runAction({ inputs: selfHosted({ not_found_grace: '300ms' }) })
    expect(run.code).toBe(1)
    expect(run.outputs.conclusion).toBe('error')
    expect(run.outputs.error).toContain(`Task task-1 was not found (HTTP 404: Task task-1 not found for user ${DEFAULT_USER_ID})`)
    expect(run.outputs.error).toContain('MEMSCHEDULER_USE_REDIS_QUEUE=true')
    expect(run.outputs.error).not.toContain('api_key')
  })

  it('rejects api: self-hosted without user_id before any request', async () => {
    const run = await runAction({ inputs: selfHosted({ user_id: '' }) })
    expect(run.code).toBe(1)
    expect(server.requests).toEqual([])
    expect(run.stdout).toContain("::error::Input 'user_id' is required with 'api: self-hosted'")
    expectEveryOutput(run.outputs)
  })

  it('stops on the first answer when api: cloud is pointed at the self-hosted server', async () => {
    const run = await runAction({ inputs: { task_id: 'task-1', api_key: KEY, base_url: server.baseUrl, interval: '100ms' } })
    expect(run.code).toBe(1)
    expect(Number(run.outputs.attempts)).toBe(1)
    expect(run.outputs.error).toMatch(/^'base_url' did not answer like the MemOS Cloud API/)
    expect(run.outputs.error).toContain("set 'api: self-hosted'")
  })
})
