/**
 * The poller case by case, on simulated time (bench/virtual-clock.ts) with scripted answers: what each task
 * concludes and why, the log lines a user reads, the not-found grace, fail_fast, back-off, throttling and the
 * server's budget, cancellation and the deadline. The waits have no jitter (the random source always draws the
 * middle), so every time is exact. The poller's clock does not start at 0: every time it reports must be
 * measured from the start of the wait.
 */
import { VirtualClock } from '../../testing/virtual-clock.js'
import type { Clock } from '../../src/shared/clock.js'
import type { HintListener, HintPlan, HintSource } from '../../src/wait/ports.js'
import { type PollSettings, waitForTasks } from '../../src/wait/poller.js'
import { RequestAbortedError, type StatusOutcome, type StatusSource } from '../../src/wait/ports.js'
import { fastSettings, recordingLog } from '../../testing/harness.js'

const status = (value: string): StatusOutcome => ({ kind: 'status', status: value, data: { status: value } })

/** What the API answers for a task's `n`-th request (from 1), sent `atMs` after the start; `throws` rejects instead. */
type Script = (taskId: string, atMs: number, n: number) => StatusOutcome | { throws: unknown }

interface Sent {
  taskId: string
  at: number
  timeoutMs: number
}

/** Where the poller's clock stands when the wait starts. */
const ORIGIN = 7_000_000

interface Options {
  latencyMs?: number
  /** Cancels the run (as SIGTERM would) this long after the start; -1: before it starts. */
  abortAt?: number
  hints?: (clock: VirtualClock) => HintSource
  /** What a request rejects with when the wait aborts it, and how long it takes to. */
  abortError?: () => unknown
  abortTakesMs?: number
}

/** Runs the real poller against a scripted API, answering each request `latencyMs` after it is sent. */
async function waitScripted(script: Script, settings: Partial<PollSettings> = {}, options: Options = {}) {
  const clock = new VirtualClock()
  const latencyMs = options.latencyMs ?? 50
  const sent: Sent[] = []
  let open = 0
  const client: StatusSource = {
    getStatus(taskId, { timeoutMs, signal }) {
      const at = clock.now()
      sent.push({ taskId, at, timeoutMs })
      const n = sent.filter((request) => request.taskId === taskId).length
      open++
      return new Promise<StatusOutcome>((resolve, reject) => {
        const onAbort = (): void => {
          cancel()
          const error = options.abortError ? options.abortError() : new RequestAbortedError()
          if (options.abortTakesMs === undefined) reject(error)
          else clock.setTimer(options.abortTakesMs, () => reject(error))
        }
        const cancel = clock.setTimer(latencyMs, () => {
          signal.removeEventListener('abort', onAbort)
          const answer = script(taskId, at, n)
          if ('throws' in answer) reject(answer.throws)
          else resolve(answer)
        })
        signal.addEventListener('abort', onAbort, { once: true })
      }).finally(() => open--)
    }
  }
  const abort = new AbortController()
  if (options.abortAt === -1) abort.abort()
  else if (options.abortAt !== undefined) clock.setTimer(options.abortAt, () => abort.abort())
  const shifted: Clock = { now: () => ORIGIN + clock.now(), setTimer: (ms, callback) => clock.setTimer(ms, callback) }
  const log = recordingLog()
  const result = await clock.run(
    waitForTasks(fastSettings({ intervalMs: 500, maxIntervalMs: 30_000, maxRequestsPerSecond: 20, timeoutMs: 60_000, ...settings }), {
      client,
      clock: shifted,
      random: () => 0.5,
      log,
      signal: abort.signal,
      hints: options.hints?.(clock)
    })
  )
  const openAtEnd = open
  const sentAt = (taskId: string): number[] => sent.filter((request) => request.taskId === taskId).map((request) => request.at)
  return { result, log, sent, sentAt, openAtEnd, signal: abort.signal }
}

const runningUntil =
  (doneAt: Record<string, number>, final = 'completed'): Script =>
  (taskId, at) =>
    status(at >= (doneAt[taskId] ?? Number.POSITIVE_INFINITY) ? final : 'running')

describe('hints', () => {
  /** Hints given at fixed times; healthy from `healthyAt`. */
  function scriptedHints(
    script: { hintsAt?: number[]; healthyAt?: number; unhealthyAt?: number },
    seen: { plan?: HintPlan; started: boolean }
  ) {
    return (clock: VirtualClock): HintSource => ({
      start(listener: HintListener, plan: HintPlan) {
        seen.started = true
        seen.plan = plan
        if (script.healthyAt !== undefined) clock.setTimer(script.healthyAt, () => listener.health(true))
        if (script.unhealthyAt !== undefined) clock.setTimer(script.unhealthyAt, () => listener.health(false))
        for (const at of script.hintsAt ?? []) clock.setTimer(at, () => listener.hint())
      },
      close() {}
    })
  }

  it('are not started for a single check (timeout 0)', async () => {
    const seen = { started: false }
    await waitScripted(runningUntil({}), { taskIds: ['t'], timeoutMs: 0 }, { hints: scriptedHints({}, seen) })
    expect(seen.started).toBe(false)
  })

  it('are told how many tasks were last seen running', async () => {
    const seen: { plan?: HintPlan; started: boolean } = { started: false }
    const counts: number[] = []
    const script: Script = (id, at) => {
      counts.push(seen.plan?.runningTasks() ?? -1)
      return status(id === 'a' && at >= 500 ? 'completed' : 'running')
    }
    await waitScripted(script, { taskIds: ['a', 'b'], timeoutMs: 1500 }, { hints: scriptedHints({}, seen) })
    // Before any answer none is known to run; then both; once a completes, one.
    expect(counts.slice(0, 3)).toEqual([0, 1, 2])
    expect(counts.at(-1)).toBe(1)
  })

  it('a hint that came before a request was sent does not make its answer stale', async () => {
    const seen = { started: false }
    const { sent } = await waitScripted(
      runningUntil({}),
      { taskIds: ['t'], timeoutMs: 600_000 },
      { hints: scriptedHints({ healthyAt: 10, hintsAt: [200_000] }, seen) }
    )
    // The hint at 200 s makes the task due at once; the answer to that request is fresh: the next poll waits
    // the hinted 7.5 minutes, cut to the final poll, not 0.
    const after = sent.filter((request) => request.at >= 200_000).map((request) => request.at)
    expect(after).toEqual([200_000, 599_900])
  })

  it('turning healthy does not cut short a wait that Retry-After asked for', async () => {
    const seen = { started: false }
    const busy: StatusOutcome = { kind: 'transient', reason: 'HTTP 503', retryAfterMs: 10_000, throttled: false }
    const { sent } = await waitScripted(
      (_id, _at, n) => (n === 1 ? busy : status('completed')),
      { taskIds: ['t'] },
      { hints: scriptedHints({ healthyAt: 1000 }, seen) }
    )
    expect(sent.map((request) => request.at)).toEqual([0, 10_050])
  })

  it('turning unhealthy brings a stretched wait back to the schedule at once', async () => {
    const seen = { started: false }
    const { sent } = await waitScripted(
      runningUntil({}),
      { taskIds: ['t'], timeoutMs: 600_000 },
      { hints: scriptedHints({ healthyAt: 10, unhealthyAt: 100_000 }, seen) }
    )
    // 13 % of the 100 s waited so far.
    expect(sent.filter((request) => request.at > 100_000)[0]?.at).toBe(113_000)
  })
})
