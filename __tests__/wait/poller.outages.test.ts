/**
 * Retries during an outage, fail_fast at the end of a batch and the batch progress line, on simulated time
 * (bench/virtual-clock.ts): request times are exact, so the spacing between retries can be measured.
 */
import { seededRandom, VirtualClock } from '../../testing/virtual-clock.js'
import { type PollSettings, waitForTasks } from '../../src/wait/poller.js'
import type { StatusOutcome, StatusSource } from '../../src/wait/ports.js'
import { fastSettings, recordingLog } from '../../testing/harness.js'

/** What the API answers for a task at a moment of simulated time. */
type Script = (taskId: string, atMs: number) => StatusOutcome

const status = (value: string): StatusOutcome => ({ kind: 'status', status: value, data: { status: value } })
const unavailable: StatusOutcome = { kind: 'transient', reason: 'HTTP 503 Service Unavailable', throttled: false }

/** Records when each request was sent, and answers it 50 ms later as the script says. */
function scriptedApi(clock: VirtualClock, script: Script): StatusSource & { sent: Array<[string, number]> } {
  const sent: Array<[string, number]> = []
  return {
    sent,
    getStatus(taskId): Promise<StatusOutcome> {
      const at = clock.now()
      sent.push([taskId, at])
      return new Promise((resolve) => clock.setTimer(50, () => resolve(script(taskId, at))))
    }
  }
}

async function waitScripted(script: Script, settings: Partial<PollSettings>) {
  const clock = new VirtualClock()
  const api = scriptedApi(clock, script)
  const log = recordingLog()
  const result = await clock.run(
    waitForTasks(fastSettings({ intervalMs: 500, maxIntervalMs: 30_000, maxRequestsPerSecond: 20, ...settings }), {
      client: api,
      clock,
      random: seededRandom(7),
      log,
      signal: new AbortController().signal
    })
  )
  return { result, log, sentAt: (taskId: string) => api.sent.filter(([id]) => id === taskId).map(([, at]) => at) }
}

const gapsBetween = (times: number[]): number[] => times.slice(1).map((at, index) => at - (times[index] ?? 0))

describe('retries during an outage', () => {
  it('back off: each wait roughly doubles, from interval up to max_interval', async () => {
    // Down for the first two minutes, then the task is already complete.
    const { result, sentAt } = await waitScripted((_id, at) => (at < 120_000 ? unavailable : status('completed')), {
      timeoutMs: 600_000
    })
    expect(result.tasks[0]?.conclusion).toBe('success')
    const gaps = gapsBetween(sentAt('task-1'))
    // 500 ms, 1 s, 2 s, 4 s, 8 s, 16 s (each ±10 % jitter), then max_interval.
    expect(gaps[0]).toBeLessThanOrEqual(600)
    for (let i = 1; i < 6; i++) expect((gaps[i] ?? 0) / (gaps[i - 1] ?? 1)).toBeGreaterThan(1.5)
    // Each gap also holds the 50 ms the answer took.
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000 + 50)
    // Nine requests cover two minutes of outage; without back-off it would take well over a hundred.
    expect(sentAt('task-1').length).toBeLessThanOrEqual(12)
  })

  it('start backing off from interval again after the server has answered in between', async () => {
    // Two outages, from 0 to 10 s and from 60 s to 90 s; the task runs in between and completes at 100 s.
    const down = (at: number): boolean => at < 10_000 || (at >= 60_000 && at < 90_000)
    const { result, sentAt } = await waitScripted((_id, at) => (down(at) ? unavailable : status(at >= 100_000 ? 'completed' : 'running')), {
      timeoutMs: 600_000
    })
    expect(result.tasks[0]?.conclusion).toBe('success')
    const times = sentAt('task-1')
    const firstFailureOfSecondOutage = times.findIndex((at) => at >= 60_000)
    // By the end of the first outage the back-off had grown to 8 s, and would be 16 s next. In the second
    // outage the first retry waits what an ordinary poll 60 s in waits (0.13 × 60 s, about 8 s).
    expect(gapsBetween(times.slice(0, 6)).at(-1)).toBeGreaterThan(7000)
    const retry = (times[firstFailureOfSecondOutage + 1] ?? 0) - (times[firstFailureOfSecondOutage] ?? 0)
    expect(retry).toBeGreaterThan(6000)
    expect(retry).toBeLessThan(11_000)
  })

  it('wait for the server Retry-After even when back-off alone would retry sooner', async () => {
    const throttled: StatusOutcome = { kind: 'transient', reason: 'HTTP 503', retryAfterMs: 7000, throttled: false }
    const { sentAt } = await waitScripted((_id, at) => (at < 1000 ? throttled : status('completed')), { timeoutMs: 60_000 })
    expect(gapsBetween(sentAt('task-1'))[0]).toBeGreaterThanOrEqual(7000)
  })
})

describe('fail_fast in a batch', () => {
  const finishesAt: Record<string, [number, string]> = {
    early: [2_000, 'completed'],
    middle: [8_000, 'completed'],
    last: [20_000, 'failed']
  }
  const script: Script = (id, at) => {
    const [when, final] = finishesAt[id] ?? [Number.POSITIVE_INFINITY, 'completed']
    return status(at >= when ? final : 'running')
  }

  it('has nothing to stop when the task that fails is the last one to finish: the wait ends normally', async () => {
    const { result, log } = await waitScripted(script, { taskIds: ['early', 'middle', 'last'], failFast: true, timeoutMs: 60_000 })
    expect(result.stopReason).toBeUndefined()
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'success', 'failure'])
    expect(log.messages('info').join('\n')).not.toContain('fail_fast')
  })

  it('stops the others when a task fails while they still run', async () => {
    const failsFirst: Script = (id, at) => status(id === 'middle' && at >= 8_000 ? 'failed' : 'running')
    const { result } = await waitScripted(failsFirst, { taskIds: ['early', 'middle', 'last'], failFast: true, timeoutMs: 60_000 })
    expect(result.stopReason).toBe('fail_fast')
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['pending', 'failure', 'pending'])
  })
  it('logs why a task errored, naming it, and keeps waiting for the others without fail_fast', async () => {
    const rejected: StatusOutcome = { kind: 'fatal', scope: 'task', reason: 'MemOS rejected the task id (code 40000).' }
    const script: Script = (id, at) => (id === 'bad' ? rejected : status(at >= 3_000 ? 'completed' : 'running'))
    const { result, log } = await waitScripted(script, { taskIds: ['good', 'bad'], failFast: false, timeoutMs: 60_000 })
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'error'])
    expect(log.messages('info')).toContain('[bad] error: MemOS rejected the task id (code 40000).')
  })
})

describe('the progress line of a batch', () => {
  it('counts the tasks done and failed so far, every 5 seconds', async () => {
    const finishes: Record<string, [number, string]> = { a: [2_000, 'completed'], b: [7_000, 'failed'], c: [16_000, 'completed'] }
    const script: Script = (id, at) => {
      const [when, final] = finishes[id] ?? [Number.POSITIVE_INFINITY, 'completed']
      return status(at >= when ? final : 'running')
    }
    const { log } = await waitScripted(script, { taskIds: ['a', 'b', 'c'], failFast: false, timeoutMs: 60_000 })
    const progress = log.messages('info').filter((line) => /^\d+\/3 done/.test(line))
    expect(progress.map((line) => line.split(',').slice(0, 2).join(','))).toEqual([
      '1/3 done, 0 failed',
      '2/3 done, 1 failed',
      '2/3 done, 1 failed'
    ])
  })
})
