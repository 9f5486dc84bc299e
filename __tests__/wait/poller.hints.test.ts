/**
 * The poller with hints (the self-hosted wait stream's wake-up signals), on simulated time, with hints given
 * by hand: exactly when a hint arrives relative to the requests is what these cases are about.
 */
import { seededRandom as seeded, VirtualClock } from '../../testing/virtual-clock.js'
import type { HintListener, HintPlan, HintSource } from '../../src/wait/ports.js'
import { waitForTasks } from '../../src/wait/poller.js'
import { HINTED_WAIT_FACTOR } from '../../src/wait/schedule.js'
import type { StatusOutcome, StatusSource } from '../../src/wait/ports.js'
import { fastSettings, recordingLog } from '../../testing/harness.js'

const LATENCY_MS = 100

/** Answers after LATENCY_MS with the status at the moment the request arrived (half-way). */
function api(clock: VirtualClock, completesAt: Record<string, number>): StatusSource & { sent: Array<[string, number]> } {
  const sent: Array<[string, number]> = []
  return {
    sent,
    getStatus(taskId): Promise<StatusOutcome> {
      sent.push([taskId, clock.now()])
      const arrivesAt = clock.now() + LATENCY_MS / 2
      return new Promise((resolve) =>
        clock.setTimer(LATENCY_MS, () => {
          const status = arrivesAt >= (completesAt[taskId] ?? Number.POSITIVE_INFINITY) ? 'completed' : 'in_progress'
          resolve({ kind: 'status', status, data: { status } })
        })
      )
    }
  }
}

/** Hints given by the test at fixed times; healthy from `healthyAt` until `unhealthyAt`. */
function scriptedHints(
  clock: VirtualClock,
  script: { hintsAt?: number[]; healthyAt?: number; unhealthyAt?: number }
): HintSource & { plan?: HintPlan; closed: boolean } {
  const source: HintSource & { plan?: HintPlan; closed: boolean } = {
    closed: false,
    start(listener: HintListener, plan: HintPlan) {
      source.plan = plan
      if (script.healthyAt !== undefined) clock.setTimer(script.healthyAt, () => listener.health(true))
      if (script.unhealthyAt !== undefined) clock.setTimer(script.unhealthyAt, () => listener.health(false))
      for (const at of script.hintsAt ?? []) clock.setTimer(at, () => listener.hint('all'))
    },
    stillRunning() {},
    close() {
      source.closed = true
    }
  }
  return source
}

const settings = { intervalMs: 500, maxIntervalMs: 30_000, requestTimeoutMs: 30_000, maxRequestsPerSecond: 20, timeoutMs: 3_600_000 }

function run(clock: VirtualClock, client: StatusSource, hints: HintSource, taskIds: string[], timeoutMs = settings.timeoutMs) {
  return clock.run(
    waitForTasks(fastSettings({ ...settings, taskIds, timeoutMs }), {
      client,
      hints,
      clock,
      random: seeded(5),
      log: recordingLog(),
      signal: new AbortController().signal
    })
  )
}

describe('the poller with hints', () => {
  it('hands the source the time left, the interval and max_interval, and closes it at the end', async () => {
    const clock = new VirtualClock()
    const hints = scriptedHints(clock, {})
    await run(clock, api(clock, { t: 0 }), hints, ['t'], 60_000)
    expect(hints.plan).toMatchObject({ timeLeftMs: 60_000, intervalMs: 500, maxIntervalMs: 30_000 })
    expect(hints.closed).toBe(true)
  })

  it('polls every unfinished task at once on a hint, and finishes only on a status answer', async () => {
    const clock = new VirtualClock()
    const client = api(clock, { a: 600_000, b: 10_000_000 })
    const hints = scriptedHints(clock, { healthyAt: 200, hintsAt: [600_050] })
    const result = await run(clock, client, hints, ['a', 'b'], 700_000)
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'timed_out'])
    // Both were polled right after the hint; a finished on that answer.
    const afterHint = client.sent.filter(([, at]) => at >= 600_050 && at < 600_200).map(([id]) => id)
    expect(afterHint.sort()).toEqual(['a', 'b'])
    expect(result.tasks[0]?.timeline.at(-1)?.atMs).toBeLessThan(600_300)
  })

  it('while hints are healthy, polls a running task only every 15 × max_interval', async () => {
    const clock = new VirtualClock()
    const client = api(clock, { t: 2_000_000 })
    await run(clock, client, scriptedHints(clock, { healthyAt: 50 }), ['t'], 1_000_000)
    const times = client.sent.map(([, at]) => at)
    const gaps = times.slice(2, -1).map((at, index) => at - (times[index + 1] as number))
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(30_000 * HINTED_WAIT_FACTOR * 0.9)
    // The first poll, its follow-up before the stream was up, two safety polls and the final one.
    expect(times.length).toBeLessThanOrEqual(6)
  })

  it('polls again when a hint arrives while a request is out, since that answer may already be stale', async () => {
    const clock = new VirtualClock()
    // The first request reaches the server at 50 ms, before the task ends at 60 ms; the hint comes at 70 ms,
    // while the answer ("in progress") is still on its way back.
    const client = api(clock, { t: 60 })
    const result = await run(clock, client, scriptedHints(clock, { healthyAt: 10, hintsAt: [70] }), ['t'], 3_600_000)
    expect(result.tasks[0]?.conclusion).toBe('success')
    expect(client.sent.map(([, at]) => at)).toEqual([0, 100])
  })

  it('falls back to the schedule when hints turn unhealthy: stretched waits shrink back at once', async () => {
    const clock = new VirtualClock()
    const client = api(clock, { t: 200_000 })
    const result = await run(clock, client, scriptedHints(clock, { healthyAt: 50, unhealthyAt: 100_000 }), ['t'], 1_000_000)
    expect(result.tasks[0]?.conclusion).toBe('success')
    const after = client.sent.filter(([, at]) => at > 100_000).map(([, at]) => at)
    // Polled again within a normal wait of the fallback (13 % of 100 s, with jitter), not 7.5 min later.
    expect((after[0] ?? Number.POSITIVE_INFINITY) - 100_000).toBeLessThanOrEqual(15_000)
    // And seen within a normal wait of finishing.
    expect((result.tasks[0]?.timeline.at(-1)?.atMs ?? 0) - 200_000).toBeLessThan(30_000)
  })
})
