/** Many tasks in one step, under one rate limit, over real HTTP to the simulator on 127.0.0.1. */
import { buildOutputs } from '../../src/report/outputs.js'
import { type MemosSimulator, peakInWindow } from '../../simulator/memos-simulator.js'
import { startSimulator, waitAgainst } from '../../testing/harness.js'
import { keptResult } from '../../testing/task-results.js'

let simulator: MemosSimulator

afterEach(async () => {
  await simulator?.stop()
})

describe('a batch of tasks', () => {
  it('waits for them side by side: the batch takes about as long as its slowest task, not the sum', async () => {
    simulator = await startSimulator()
    const durations = [900, 700, 800, 600, 900, 750]
    durations.forEach((durationMs, index) => simulator.addTask(`t${index}`, { durationMs }))
    const ids = durations.map((_, index) => `t${index}`)
    const { result, elapsedMs } = await waitAgainst(simulator, { taskIds: ids })
    expect(result.tasks.every((task) => task.conclusion === 'success')).toBe(true)
    expect(elapsedMs).toBeGreaterThanOrEqual(900)
    // Every task was first asked before the quickest one (600 ms) could have finished: none waited for another.
    const firstAsked = ids.map((id) => simulator.statusRequests(id)[0]?.at ?? Number.POSITIVE_INFINITY)
    expect(Math.max(...firstAsked) - Math.min(...firstAsked)).toBeLessThan(600)
  })

  it('keeps input order in every output and polls a finished task no more', async () => {
    simulator = await startSimulator()
    simulator.addTask('slow', { durationMs: 600 })
    simulator.addTask('fast', { durationMs: 0 })
    simulator.addTask('mid', { durationMs: 300 })
    const { result } = await waitAgainst(simulator, { taskIds: ['slow', 'fast', 'mid'] })
    expect(result.tasks.map((task) => task.taskId)).toEqual(['slow', 'fast', 'mid'])
    expect(simulator.statusRequests('fast')).toHaveLength(1)
    const outputs = buildOutputs(keptResult(result))
    expect(outputs.status).toBe('completed,completed,completed')
    expect(JSON.parse(outputs.result).map((data: { task_id: string }) => data.task_id)).toEqual(['slow', 'fast', 'mid'])
    expect(Number(outputs.attempts)).toBe(simulator.statusRequests().length)
  })

  it('never starts more than max_requests_per_second requests in any one-second window (server timestamps)', async () => {
    simulator = await startSimulator()
    const ids = Array.from({ length: 40 }, (_, index) => `rate-${index}`)
    ids.forEach((id) => simulator.addTask(id, { durationMs: 2500 }))
    // The 40 first polls alone take 4 s at this cap, so the default 10 s timeout left too little room on a loaded
    // machine (a mutation run's first test run failed here, with eight runs sharing two cores).
    const { result } = await waitAgainst(simulator, { taskIds: ids, maxRequestsPerSecond: 10, timeoutMs: 20_000 })
    expect(result.tasks.every((task) => task.conclusion === 'success')).toBe(true)
    const requests = simulator.statusRequests()
    expect(requests.length).toBeGreaterThan(40)
    expect(peakInWindow(requests, 1000)).toBeLessThanOrEqual(10)
    // The cap is used, not just respected: a busy machine can only lower the peak, so the bound is loose here; the
    // exact use of the cap is checked in rate-limiter.test.ts.
    expect(peakInWindow(requests, 1000)).toBeGreaterThanOrEqual(5)
  })

  it('slows the whole step, not just one task, when any task is rate limited (HTTP 429)', async () => {
    simulator = await startSimulator()
    const ids = ['a', 'b', 'c', 'd']
    ids.forEach((id) => simulator.addTask(id, { durationMs: 1200 }))
    simulator.injectFault({ taskId: 'a', kind: 'http', status: 429, body: '', retryAfter: '1' })
    const { result, log } = await waitAgainst(simulator, { taskIds: ids })
    expect(result.tasks.every((task) => task.conclusion === 'success')).toBe(true)
    const requests = simulator.statusRequests()
    const throttledAt = requests.find((request) => request.httpStatus === 429)?.at ?? 0
    // None starts for the next second: only the requests of the other tasks already on their way (one each) may
    // still arrive, where unpaused polling (every 50 ms) would send dozens. The exact pause: poller.problems.test.ts.
    const during = requests.filter((request) => request.at > throttledAt && request.at < throttledAt + 950)
    expect(during.length).toBeLessThanOrEqual(ids.length - 1)
    expect(log.messages('warning').join('\n')).toContain('HTTP 429')
  })

  it('slows the whole step on code 40300 from a server-side rate limit, and still finishes', async () => {
    simulator = await startSimulator({ rateLimit: { perSecond: 8, style: 'code' } })
    const ids = Array.from({ length: 12 }, (_, index) => `q${index}`)
    ids.forEach((id) => simulator.addTask(id, { durationMs: 1000 }))
    const { result } = await waitAgainst(simulator, { taskIds: ids, maxRequestsPerSecond: 30 })
    expect(result.tasks.every((task) => task.conclusion === 'success')).toBe(true)
    const limited = simulator.statusRequests().filter((request) => request.code === 40300)
    const served = simulator.statusRequests().filter((request) => request.code !== 40300)
    expect(limited.length).toBeGreaterThan(0)
    // Halving the rate after each 40300 keeps the rejected share small.
    expect(limited.length).toBeLessThan(served.length)
  })

  it('with fail_fast, stops waiting once a task fails, reports the rest as pending and names them once', async () => {
    simulator = await startSimulator()
    simulator.addTask('ok', { durationMs: 100 })
    simulator.addTask('bad', { durationMs: 200, finalStatus: 'failed' })
    simulator.addTask('slow', { durationMs: 30_000 })
    simulator.addTask('slower', { durationMs: 40_000 })
    const { result, elapsedMs } = await waitAgainst(simulator, { taskIds: ['ok', 'bad', 'slow', 'slower'] })
    expect(result.stopReason).toBe('fail_fast')
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'failure', 'pending', 'pending'])
    expect(result.tasks[2]?.error).toContain('fail_fast stopped the wait after task bad failed')
    // Not the 10 s timeout.
    expect(elapsedMs).toBeLessThan(5000)
    const outputs = buildOutputs(keptResult(result))
    expect(outputs).toMatchObject({ conclusion: 'failure', failed_task_ids: 'bad', pending_task_ids: 'slow,slower' })
    expect(outputs.error).toBe(
      "1 completed, 1 failed, 2 not waited for. Task bad ended with status 'failed'. fail_fast stopped the wait there; not waited for: slow, slower."
    )
  })

  it('without fail_fast, waits for every task and aggregates: error beats failure', async () => {
    simulator = await startSimulator()
    simulator.addTask('ok', { durationMs: 100 })
    simulator.addTask('bad', { durationMs: 100, finalStatus: 'failed' })
    simulator.addTask('late', { durationMs: 500 })
    const { result } = await waitAgainst(simulator, { taskIds: ['ok', 'bad', 'missing', 'late'], failFast: false, notFoundGraceMs: 300 })
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'failure', 'error', 'success'])
    const outputs = buildOutputs(keptResult(result))
    expect(outputs).toMatchObject({ conclusion: 'error', failed_task_ids: 'bad,missing', pending_task_ids: '' })
    expect(outputs.error).toMatch(/^2 completed, 1 failed, 1 errored\. /)
  })

  it.each([true, false])('stops every task when the key is rejected, since the key is shared (fail_fast: %p)', async (failFast) => {
    simulator = await startSimulator({ authFailure: 'http' })
    const ids = ['a', 'b', 'c']
    ids.forEach((id) => simulator.addTask(id, { durationMs: 5000 }))
    const { result, elapsedMs } = await waitAgainst(simulator, { taskIds: ids, failFast }, { apiKey: 'not-the-key-000' })
    expect(result.stopReason).toBe('fatal')
    expect(buildOutputs(keptResult(result)).conclusion).toBe('error')
    const stopped = result.tasks.filter((task) => task.conclusion === 'pending')
    for (const task of stopped) expect(task.error).toContain("Check the 'api_key' input")
    // Nothing is retried: at most one request per task, and the wait ends long before the 10 s timeout.
    expect(simulator.statusRequests().length).toBeLessThanOrEqual(ids.length)
    expect(elapsedMs).toBeLessThan(5000)
  })

  it('gives each task its own not-found grace', async () => {
    simulator = await startSimulator()
    simulator.addTask('early', { durationMs: 200 })
    simulator.addTask('later', { durationMs: 900, visibleAfterMs: 500 })
    const { result } = await waitAgainst(simulator, { taskIds: ['early', 'later'], notFoundGraceMs: 800 })
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'success'])
  })
})

describe('a timeout shorter than the final-poll lead', () => {
  it('still asks every task of a batch once', async () => {
    simulator = await startSimulator()
    const ids = ['a', 'b', 'c', 'd']
    for (const id of ids) simulator.addTask(id, { durationMs: 60_000 })
    const { result } = await waitAgainst(simulator, { taskIds: ids, timeoutMs: 1500, requestTimeoutMs: 30_000, maxRequestsPerSecond: 5 })
    expect(result.tasks.map((task) => [task.taskId, task.conclusion, task.status])).toEqual(ids.map((id) => [id, 'timed_out', 'running']))
    expect(new Set(simulator.statusRequests().map((request) => request.taskId))).toEqual(new Set(ids))
  })
})
