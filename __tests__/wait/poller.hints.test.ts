/**
 * The poller with hints (the self-hosted wait stream's wake-up signals), on simulated time, with hints and their
 * health given at set times (testing/scripted-api.ts): exactly when a hint arrives relative to the requests is
 * what these cases are about.
 */
import type { StatusOutcome } from '../../src/shared/outcome.js'
import { HINTED_WAIT_FACTOR } from '../../src/wait/schedule.js'
import type { PollSettings } from '../../src/wait/poller.js'
import { runningUntil, type GivenHints, type Script, ScriptedHints, status } from '../../testing/scripted-api.js'
import { type ScriptedWaitOptions, waitScripted } from '../../testing/scripted-wait.js'
import { seededRandom } from '../../testing/virtual-clock.js'

describe('hints', () => {
  it('are not started for a single check (timeout 0)', async () => {
    const { hints } = await waitScripted(runningUntil({}), { taskIds: ['t'], timeoutMs: 0 }, { hints: {} })
    expect(hints?.plan).toBeUndefined()
    expect(hints?.connections).toBe(0)
  })

  it('are told how many tasks were last seen running', async () => {
    let source: ScriptedHints | undefined
    const counts: number[] = []
    const script: Script = ({ taskId, sentAt }) => {
      counts.push(source?.plan?.runningTasks() ?? -1)
      return status(taskId === 'a' && sentAt >= 500 ? 'completed' : 'running')
    }
    await waitScripted(script, { taskIds: ['a', 'b'], timeoutMs: 1500 }, { hints: (clock) => (source = new ScriptedHints(clock, {})) })
    // Before any answer none is known to run; then both; once a completes, one.
    expect(counts.slice(0, 3)).toEqual([0, 1, 2])
    expect(counts.at(-1)).toBe(1)
  })

  it('a hint that came before a request was sent does not make its answer stale', async () => {
    const { sentAt } = await waitScripted(
      runningUntil({}),
      { taskIds: ['t'], timeoutMs: 600_000 },
      { hints: { healthyAt: 10, hintsAt: [200_000] } }
    )
    // The hint at 200 s makes the task due at once; the answer to that request is fresh: the next poll waits
    // the hinted 7.5 minutes, cut to the final poll, not 0.
    expect(sentAt('t').filter((at) => at >= 200_000)).toEqual([200_000, 599_900])
  })

  it('turning healthy does not cut short a wait that Retry-After asked for', async () => {
    const busy: StatusOutcome = { kind: 'transient', reason: 'HTTP 503', problem: 'HTTP 503', retryAfterMs: 10_000, throttled: false }
    const { sentAt } = await waitScripted(
      ({ attempt }) => (attempt === 1 ? busy : status('completed')),
      { taskIds: ['t'] },
      {
        hints: { healthyAt: 1000 }
      }
    )
    expect(sentAt('t')).toEqual([0, 10_050])
  })

  it('turning unhealthy brings a stretched wait back to the schedule at once', async () => {
    const { sentAt } = await waitScripted(
      runningUntil({}),
      { taskIds: ['t'], timeoutMs: 600_000 },
      { hints: { healthyAt: 10, unhealthyAt: 100_000 } }
    )
    // 13 % of the 100 s waited so far.
    expect(sentAt('t').filter((at) => at > 100_000)[0]).toBe(113_000)
  })
})

describe('the poller with hints, over long waits', () => {
  /** An hour to wait, requests answered in 100 ms with the status at the moment they reach the server. */
  const LONG: Partial<PollSettings> = { requestTimeoutMs: 30_000, timeoutMs: 3_600_000 }
  const inProgressUntil = (doneAt: Record<string, number>): Script => runningUntil(doneAt, { running: 'in_progress' })
  const hinted = (hints: GivenHints): ScriptedWaitOptions => ({
    latencyMs: 100,
    random: seededRandom(5),
    hints
  })

  it('hands the source the time left, the interval and max_interval, and closes it at the end', async () => {
    const { hints } = await waitScripted(inProgressUntil({ t: 0 }), { ...LONG, taskIds: ['t'], timeoutMs: 60_000 }, hinted({}))
    expect(hints?.plan).toMatchObject({ timeLeftMs: 60_000, intervalMs: 500, maxIntervalMs: 30_000 })
    expect(hints?.closed).toBe(true)
  })

  it('polls every unfinished task at once on a hint, and finishes only on a status answer', async () => {
    const { result, sent } = await waitScripted(
      inProgressUntil({ a: 600_000, b: 10_000_000 }),
      { ...LONG, taskIds: ['a', 'b'], timeoutMs: 700_000 },
      hinted({ healthyAt: 200, hintsAt: [600_050] })
    )
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'timed_out'])
    // Both were polled right after the hint; a finished on that answer.
    const afterHint = sent.filter((request) => request.sentAt >= 600_050 && request.sentAt < 600_200).map((request) => request.taskId)
    expect(afterHint.sort()).toEqual(['a', 'b'])
    expect(result.tasks[0]?.timeline.at(-1)?.atMs).toBeLessThan(600_300)
  })

  it('while hints are healthy, polls a running task only every 15 × max_interval', async () => {
    const { sentAt } = await waitScripted(
      inProgressUntil({ t: 2_000_000 }),
      { ...LONG, taskIds: ['t'], timeoutMs: 1_000_000 },
      hinted({ healthyAt: 50 })
    )
    const times = sentAt('t')
    const gaps = times.slice(2, -1).map((at, index) => at - (times[index + 1] as number))
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(30_000 * HINTED_WAIT_FACTOR * 0.9)
    // The first poll, its follow-up before the stream was up, two safety polls and the final one.
    expect(times.length).toBeLessThanOrEqual(6)
  })

  it('polls again when a hint arrives while a request is out, since that answer may already be stale', async () => {
    // The first request reaches the server at 50 ms, before the task ends at 60 ms; the hint comes at 70 ms,
    // while the answer ("in progress") is still on its way back.
    const { result, sentAt } = await waitScripted(
      inProgressUntil({ t: 60 }),
      { ...LONG, taskIds: ['t'] },
      hinted({ healthyAt: 10, hintsAt: [70] })
    )
    expect(result.tasks[0]?.conclusion).toBe('success')
    expect(sentAt('t')).toEqual([0, 100])
  })

  it('falls back to the schedule when hints turn unhealthy: stretched waits shrink back at once', async () => {
    const { result, sentAt } = await waitScripted(
      inProgressUntil({ t: 200_000 }),
      { ...LONG, taskIds: ['t'], timeoutMs: 1_000_000 },
      hinted({ healthyAt: 50, unhealthyAt: 100_000 })
    )
    expect(result.tasks[0]?.conclusion).toBe('success')
    const after = sentAt('t').filter((at) => at > 100_000)
    // Polled again within a normal wait of the fallback (13 % of 100 s, with jitter), not 7.5 min later.
    expect((after[0] ?? Number.POSITIVE_INFINITY) - 100_000).toBeLessThanOrEqual(15_000)
    // And seen within a normal wait of finishing.
    expect((result.tasks[0]?.timeline.at(-1)?.atMs ?? 0) - 200_000).toBeLessThan(30_000)
  })
})
