/**
 * The real poller against the scripted API (scripted-api.ts) on the virtual clock: the poller's tests on
 * simulated time, where every request time is exact. Unless a test gives its own, the random source always
 * draws the middle, so the waits have no jitter.
 */
import { type PollSettings, waitForTasks } from '../src/wait/poller.js'
import { fastSettings, recordingLog } from './harness.js'
import { type GivenHints, ScriptedApi, type ScriptedApiOptions, ScriptedHints, type Script, type StreamedHints } from './scripted-api.js'
import { VirtualClock } from './virtual-clock.js'

/** Where the poller's clock stands when the wait starts: not 0, so every time it reports must be measured from the start. */
export const ORIGIN = 7_000_000

/** The action's own interval, max_interval and rate; a minute to wait. */
export const SCRIPTED_DEFAULTS: Partial<PollSettings> = {
  intervalMs: 500,
  maxIntervalMs: 30_000,
  maxRequestsPerSecond: 20,
  timeoutMs: 60_000
}

export interface ScriptedWaitOptions extends ScriptedApiOptions {
  /** Cancels the run (as SIGTERM would) this long after the start; -1: before it starts. */
  abortAt?: number
  /** Hints at set times, or a stream's frames; or a maker, for a test that reads the hint source during the wait. */
  hints?: GivenHints | { stream: StreamedHints } | ((clock: VirtualClock) => ScriptedHints)
  random?: () => number
}

/** Runs the real poller against the scripted API until the wait ends. */
export async function waitScripted(script: Script, settings: Partial<PollSettings> = {}, options: ScriptedWaitOptions = {}) {
  const clock = new VirtualClock(ORIGIN)
  const api = new ScriptedApi(clock, script, options)
  const given = options.hints
  const hints = typeof given === 'function' ? given(clock) : given && new ScriptedHints(clock, given)
  const abort = new AbortController()
  if (options.abortAt === -1) abort.abort()
  else if (options.abortAt !== undefined) clock.setTimer(options.abortAt, () => abort.abort())
  const log = recordingLog()
  const result = await clock.run(
    waitForTasks(fastSettings({ ...SCRIPTED_DEFAULTS, ...settings }), {
      client: api,
      clock,
      random: options.random ?? (() => 0.5),
      log,
      signal: abort.signal,
      hints
    })
  )
  return {
    result,
    log,
    api,
    hints,
    sent: api.sent,
    sentAt: (taskId: string) => api.sentAt(taskId),
    openAtEnd: api.open,
    signal: abort.signal
  }
}
