/**
 * One request budget for the whole step, over real HTTP to the simulator running the open-source server's rate
 * limiter (a sliding window over every request, wait-stream opens included): status polls and stream opens share
 * it, every answer teaches it, and a budget that runs out before the deadline ends the wait at once.
 */
import type { MemosSimulator, RequestRecord } from '../../simulator/memos-simulator.js'
import { startSimulator, TEST_USER, waitAgainst } from '../../testing/harness.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { keptResult } from '../../testing/task-results.js'

let simulator: MemosSimulator

afterEach(async () => {
  await simulator?.stop()
})

const refused = (requests: RequestRecord[]): RequestRecord[] => requests.filter((request) => request.httpStatus === 429)

/** How long after its end each task was first seen completed. */
function detectionDelays(ids: string[]): number[] {
  return ids.map((id) => {
    const seen = simulator.statusRequests(id).find((request) => request.status === 'completed')
    return (seen?.answeredAt ?? Number.NaN) - (simulator.completesAt(id) ?? Number.NaN)
  })
}

describe('five tasks of one user finishing at 3 s, behind a limit of 40 requests a minute', () => {
  const ids = ['t1', 't2', 't3', 't4', 't5']
  const settings = { taskIds: ids, intervalMs: 100, maxIntervalMs: 400, timeoutMs: 40_000, maxRequestsPerSecond: 20 }

  beforeEach(async () => {
    simulator = await startSimulator({ api: 'self-hosted', windowLimit: { limit: 40, windowMs: 60_000 } })
    for (const id of ids) simulator.addTask(id, { durationMs: 3000, userId: TEST_USER })
  })

  it('with the wait stream: sees each task within a second, in at most 3 requests a task, stream opens counted', async () => {
    const { result } = await waitAgainst(simulator, settings, { stream: true })
    expect(result.tasks.map((task) => task.conclusion)).toEqual(ids.map(() => 'success'))
    for (const delay of detectionDelays(ids)) expect(delay).toBeLessThan(1000)
    expect(refused(simulator.requests)).toEqual([])
    expect(simulator.streamRequests().length).toBeLessThanOrEqual(2)
    expect(simulator.requests.length).toBeLessThanOrEqual(3 * ids.length)
  })

  it('polling only: stays inside the budget with no 429, spreading it to the deadline', async () => {
    // 35 requests left after the first five cover 37 s: one every 1.2 s, each task in turn. That sees a task
    // within a few seconds, not within one (the wait stream does that); the budget allows no better.
    const { result } = await waitAgainst(simulator, settings, { stream: false })
    expect(result.tasks.map((task) => task.conclusion)).toEqual(ids.map(() => 'success'))
    expect(refused(simulator.requests)).toEqual([])
    for (const delay of detectionDelays(ids)) expect(delay).toBeLessThan(ids.length * 1500)
    // Without the spreading to the deadline, the remaining budget lasted to the server's reset, a minute away.
    expect(Math.max(...detectionDelays(ids))).toBeLessThan(7000)
  })
})

describe('the wait stream and the budget', () => {
  it('does not reopen a stream that says idle at once while the task still runs, beyond a few opens', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.streamBehaviour = 'idle'
    simulator.addTask('task-1', { durationMs: 5000, userId: TEST_USER })
    const { result } = await waitAgainst(simulator, { intervalMs: 100, maxIntervalMs: 400, timeoutMs: 20_000 }, { stream: true })
    expect(result.tasks[0]?.conclusion).toBe('success')
    // Each reopening waits four times longer than the last: 0.1 s, 0.4 s, 1.6 s, 6.4 s: four opens in 5 s.
    expect(simulator.streamRequests().length).toBeLessThanOrEqual(4)
  })

  it('pauses every request of the step for the Retry-After of a 429 on the stream', async () => {
    simulator = await startSimulator({ api: 'self-hosted', windowLimit: { limit: 2, windowMs: 4000 } })
    simulator.addTask('task-1', { durationMs: 0, userId: TEST_USER })
    // Another client of the same address has used the window up; the step's first request is the stream's open.
    await fetch(`${simulator.baseUrl}/scheduler/status?user_id=x&task_id=y`)
    await fetch(`${simulator.baseUrl}/scheduler/status?user_id=x&task_id=y`)
    const { result } = await waitAgainst(simulator, { timeoutMs: 20_000, maxRequestsPerSecond: 1 }, { stream: true })
    expect(result.tasks[0]?.conclusion).toBe('success')
    const [refusedOpen] = simulator.streamRequests()
    expect(refusedOpen?.httpStatus).toBe(429)
    const [firstPoll] = simulator.statusRequests('task-1')
    // The window frees up 4 s after the other client's first request; Retry-After says so in whole seconds.
    expect((firstPoll?.at ?? 0) - (refusedOpen?.answeredAt ?? 0)).toBeGreaterThanOrEqual(2000)
    expect(refused(simulator.statusRequests('task-1'))).toEqual([])
  })
})

describe('a budget that runs out before the deadline', () => {
  it('ends the wait at once and says so, with the time it really waited', async () => {
    simulator = await startSimulator({ api: 'self-hosted', windowLimit: { limit: 3, windowMs: 60_000 } })
    simulator.addTask('task-1', { durationMs: 60_000, userId: TEST_USER })
    await fetch(`${simulator.baseUrl}/scheduler/status?user_id=x&task_id=y`)
    await fetch(`${simulator.baseUrl}/scheduler/status?user_id=x&task_id=y`)
    // The step's first poll takes the last request of the window: the next is allowed a minute later.
    const { result } = await waitAgainst(simulator, { timeoutMs: 40_000 })
    const outputs = buildOutputs(keptResult(result))
    expect(outputs.conclusion).toBe('timed_out')
    expect(outputs.error).toMatch(
      /^The server's rate limit allows no request before the timeout \(next at (\d\d\.\ds|1m(\d\ds)?), timeout 40s\); stopped after \d+ms waiting for task task-1 \(last status 'in_progress'\)\.$/
    )
    expect(Number(outputs.duration_ms)).toBeLessThan(10_000)
    expect(simulator.statusRequests()).toHaveLength(3)
  })
})
