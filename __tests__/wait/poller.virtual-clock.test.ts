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
  it('lands the final poll just before a one-hour deadline and ends at it', async () => {
    const clock = new VirtualClock()
    const api = simulatedApi(clock, {}, 100)
    const result = await waitOnVirtualTime(clock, api, ['t'], 3_600_000, seeded(4))
    expect(result.tasks[0]?.conclusion).toBe('timed_out')
    // The final poll leads the deadline by twice the slowest answer (100 ms here).
    expect(api.sent.at(-1)?.[1]).toBe(3_600_000 - 200)
    expect(result.durationMs).toBe(3_600_000 - 100)
  })
})
