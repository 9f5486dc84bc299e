/**
 * The real poller on simulated time (an injected clock and random source): whole waits of minutes or hours,
 * checked exactly, with no wall-clock assertion.
 */
import { seededRandom as seeded, VirtualClock } from '../../testing/virtual-clock.js'
import { waitForTasks } from '../../src/wait/poller.js'
import type { StatusOutcome, StatusSource } from '../../src/wait/ports.js'
import { fastSettings, recordingLog } from '../../testing/harness.js'

/** Answers after `latencyMs` with `running` until the task's time, then `completed`. */
function simulatedApi(
  clock: VirtualClock,
  completesAt: Record<string, number>,
  latencyMs = 100
): StatusSource & { sent: Array<[string, number]> } {
  const sent: Array<[string, number]> = []
  return {
    sent,
    getStatus(taskId): Promise<StatusOutcome> {
      sent.push([taskId, clock.now()])
      return new Promise((resolve) =>
        clock.setTimer(latencyMs, () => {
          const status = clock.now() >= (completesAt[taskId] ?? Number.POSITIVE_INFINITY) ? 'completed' : 'running'
          resolve({ kind: 'status', status, data: { status } })
        })
      )
    }
  }
}

const defaults = { intervalMs: 500, maxIntervalMs: 30_000, requestTimeoutMs: 30_000, maxRequestsPerSecond: 20 }

/** Runs the real poller with default-shaped settings on simulated time. */
function waitOnVirtualTime(clock: VirtualClock, api: StatusSource, taskIds: string[], timeoutMs: number, random: () => number) {
  return clock.run(
    waitForTasks(fastSettings({ ...defaults, taskIds, timeoutMs }), {
      client: api,
      clock,
      random,
      log: recordingLog(),
      signal: new AbortController().signal
    })
  )
}

describe('the poller on simulated time', () => {
  it.each([
    [10_000, 25],
    [120_000, 40],
    [600_000, 60],
    [1_800_000, 108]
  ])(
    'sees a %p ms task within one wait (at most 20 %% of its duration, and max_interval) and sends at most %p requests',
    async (durationMs, maxRequests) => {
      for (const seed of [1, 2, 3]) {
        const clock = new VirtualClock()
        const api = simulatedApi(clock, { t: durationMs })
        const result = await waitOnVirtualTime(clock, api, ['t'], 3_600_000, seeded(seed))
        const seenAt = result.tasks[0]?.timeline.at(-1)?.atMs ?? Number.NaN
        expect(result.tasks[0]?.conclusion).toBe('success')
        expect(seenAt - durationMs).toBeLessThanOrEqual(Math.min(durationMs * 0.2, defaults.maxIntervalMs) + 200)
        expect(api.sent.length).toBeLessThanOrEqual(maxRequests)
      }
    }
  )

  it('never waits longer than max_interval between polls, and never less than interval', async () => {
    const clock = new VirtualClock()
    const api = simulatedApi(clock, { t: 3_000_000 }, 0)
    await waitOnVirtualTime(clock, api, ['t'], 3_600_000, seeded(9))
    const gaps = api.sent.slice(1).map(([, at], index) => at - (api.sent[index]?.[1] ?? 0))
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000)
  })

  it('lands the final poll just before a one-hour deadline and ends at it', async () => {
    const clock = new VirtualClock()
    const api = simulatedApi(clock, {}, 100)
    const result = await waitOnVirtualTime(clock, api, ['t'], 3_600_000, seeded(4))
    expect(result.tasks[0]?.conclusion).toBe('timed_out')
    // The final poll leads the deadline by twice the slowest answer (100 ms here).
    expect(api.sent.at(-1)?.[1]).toBe(3_600_000 - 200)
    expect(result.durationMs).toBe(3_600_000 - 100)
  })

  it('spreads a batch of 1,000 tasks under the rate cap and polls each finished task no more', async () => {
    const clock = new VirtualClock()
    const completesAt: Record<string, number> = {}
    const random = seeded(5)
    const ids = Array.from({ length: 1000 }, (_, index) => `b${index}`)
    for (const id of ids) completesAt[id] = random() * 60_000
    const api = simulatedApi(clock, completesAt, 50)
    const result = await waitOnVirtualTime(clock, api, ids, 600_000, random)
    expect(result.tasks.every((task) => task.conclusion === 'success')).toBe(true)
    const times = api.sent.map(([, at]) => at).sort((a, b) => a - b)
    for (let i = 20; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 20] ?? 0)).toBeGreaterThanOrEqual(1000)
    // A request sent at or after a task's completion sees `completed`: there is exactly one such request per task.
    for (const id of ids) {
      expect(api.sent.filter(([sentFor, at]) => sentFor === id && at + 50 >= (completesAt[id] ?? 0))).toHaveLength(1)
    }
  })
})

describe('an interval longer than the timeout (readSettings warns about it)', () => {
  it('checks a running task when the wait starts and once more just before the deadline, not in between', async () => {
    const clock = new VirtualClock()
    const api = simulatedApi(clock, {}, 100)
    const settings = fastSettings({ ...defaults, intervalMs: 60_000, maxIntervalMs: 60_000, timeoutMs: 30_000, taskIds: ['t'] })
    const result = await clock.run(
      waitForTasks(settings, { client: api, clock, random: seeded(5), log: recordingLog(), signal: new AbortController().signal })
    )
    expect(result.tasks[0]?.conclusion).toBe('timed_out')
    expect(api.sent.map(([, at]) => at)).toEqual([0, 30_000 - 200])
  })
})
