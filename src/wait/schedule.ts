/**
 * When to poll. Pure functions of the elapsed time, the settings and an injected random source, so the
 * tests and the benchmark can drive them with a simulated clock.
 */

export interface ScheduleSettings {
  intervalMs: number
  maxIntervalMs: number
}

export interface ScheduleShape {
  /** Each wait is this fraction of the time waited so far (between `interval` and `max_interval`). */
  growth: number
  /** Waits are spread over ±jitter/2 of their target, then kept within `interval`..`max_interval`. */
  jitter: number
  /**
   * The final poll starts this long before the deadline, so that its answer arrives by the deadline:
   * `latencyFactor` times the slowest answer seen so far, within `minLeadMs`..`maxLeadMs`, and
   * `maxLeadMs` before any answer was seen.
   */
  finalPoll: { latencyFactor: number; minLeadMs: number; maxLeadMs: number }
}

/**
 * The default shape, tuned with `npm run bench` (docs/benchmarks.md):
 * - A wait proportional to the time already waited keeps the detection delay a fixed fraction of the
 *   task's duration, whatever that turns out to be: with growth g and uniform phase the median delay is
 *   about g/2 of the duration. The target is at most 10 %, so g must stay under 0.2. At 0.15 a run of
 *   10 s tasks measured a median of 1.05 s against the 1 s target (the poll times of a nearly
 *   deterministic schedule meet a task's end at few phases), so 0.13 leaves a margin.
 * - The request count grows with log(duration)/log(1 + g) until max_interval: 0.13 makes a 10 min wait
 *   cost about 55 requests, under half of a fixed 5 s poller's 120; much lower g would break that.
 * - Below interval/growth (3.8 s at the 500 ms default) the wait is flat at `interval`: short tasks are
 *   seen within half a second, like the open-source MemOS server's own 0.5 s poll.
 * - Past max_interval/growth (230 s at 30 s) the wait is flat at `max_interval`, which bounds the delay
 *   of long tasks (p95 under max_interval) and the cost of very long ones (2 requests a minute).
 * - ±10 % jitter keeps the many tasks of a batch, and many runners, from polling in lockstep.
 */
export const DEFAULT_SHAPE: ScheduleShape = {
  growth: 0.13,
  jitter: 0.2,
  finalPoll: { latencyFactor: 2, minLeadMs: 100, maxLeadMs: 2000 }
}

/** The wait before the next poll, before jitter: grows with the time waited, from interval to max_interval. */
export function targetDelay(elapsedMs: number, settings: ScheduleSettings, shape: ScheduleShape = DEFAULT_SHAPE): number {
  return clamp(Math.max(0, elapsedMs) * shape.growth, settings.intervalMs, settings.maxIntervalMs)
}

/** The jittered wait before the next status poll. `random` returns a number in [0, 1). */
export function pollDelay(
  elapsedMs: number,
  settings: ScheduleSettings,
  random: () => number,
  shape: ScheduleShape = DEFAULT_SHAPE
): number {
  return jittered(targetDelay(elapsedMs, settings, shape), settings, random, shape)
}

/**
 * The wait after a transient problem: doubles with each consecutive failure from `interval`, and is never
 * shorter than the ordinary poll wait, nor shorter than the server's Retry-After.
 */
export function retryDelay(
  elapsedMs: number,
  consecutiveFailures: number,
  retryAfterMs: number | undefined,
  settings: ScheduleSettings,
  random: () => number,
  shape: ScheduleShape = DEFAULT_SHAPE
): number {
  const backoff = settings.intervalMs * 2 ** Math.min(Math.max(consecutiveFailures - 1, 0), 30)
  const base = jittered(Math.max(backoff, targetDelay(elapsedMs, settings, shape)), settings, random, shape)
  return Math.max(base, retryAfterMs ?? 0)
}

/**
 * While hints can be relied on (the self-hosted server's wait stream), a running task is polled only this
 * many times `max_interval` apart: the hints say when to look, and this poll only covers the one case they
 * miss, another task of the same user starting in the same stream interval as one finishes, so that the count
 * of active tasks does not drop. At the 30 s default that is a poll every 7.5 minutes (±10 %), which bounds the
 * delay in that rare case and keeps a 10-minute task at 3 requests: the first, one safety poll, and the one
 * the stream asks for. At 10 × the second safety poll would often land just before a 10-minute task ends.
 */
export const HINTED_WAIT_FACTOR = 15

/** The jittered wait before the next poll of a running task while hints can be relied on. */
export function hintedPollDelay(settings: ScheduleSettings, random: () => number, shape: ScheduleShape = DEFAULT_SHAPE): number {
  const target = settings.maxIntervalMs * HINTED_WAIT_FACTOR
  const spread = target * shape.jitter * (random() - 0.5)
  // Stryker disable next-line ArithmeticOperator: the spread is symmetric around 0, so `target - spread` gives the same waits.
  return Math.round(target + spread)
}

function jittered(target: number, settings: ScheduleSettings, random: () => number, shape: ScheduleShape): number {
  const spread = target * shape.jitter * (random() - 0.5)
  // Stryker disable next-line ArithmeticOperator: the spread is symmetric around 0, so `target - spread` gives the same waits.
  return Math.round(clamp(target + spread, settings.intervalMs, settings.maxIntervalMs))
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max)
}

/** The run's deadline, as absolute clock times. */
export interface Deadline {
  /** When the wait must be over. */
  endsAt: number
  /** `timeout: 0`: one poll per task, each with the full request timeout. */
  checkOnce: boolean
  timeoutMs: number
  requestTimeoutMs: number
}

export function planDeadline(startMs: number, timeoutMs: number, requestTimeoutMs: number): Deadline {
  return { endsAt: startMs + timeoutMs, checkOnce: timeoutMs === 0, timeoutMs, requestTimeoutMs }
}

/** How long before the deadline the final poll starts, given the slowest answer so far (undefined: none yet). */
export function finalPollLead(slowestAnswerMs: number | undefined, shape: ScheduleShape = DEFAULT_SHAPE): number {
  const { latencyFactor, minLeadMs, maxLeadMs } = shape.finalPoll
  if (slowestAnswerMs === undefined) return maxLeadMs
  return clamp(slowestAnswerMs * latencyFactor, minLeadMs, maxLeadMs)
}

/** The latest time a poll may start; the last wait is shortened so that one poll starts here. */
export function finalPollAt(deadline: Deadline, leadMs: number): number {
  return deadline.endsAt - Math.min(leadMs, deadline.requestTimeoutMs, deadline.timeoutMs)
}

/**
 * When the next poll starts after waiting `delayMs` from `nowMs`, or undefined when no poll is left
 * before the deadline. A wait that would cross the final-poll time is cut short to land on it. With
 * `timeout: 0` the final-poll time is the start itself, so no poll follows the first.
 */
export function nextPollAt(nowMs: number, delayMs: number, deadline: Deadline, leadMs: number): number | undefined {
  const last = finalPollAt(deadline, leadMs)
  if (nowMs >= last) return undefined
  return Math.min(nowMs + delayMs, last)
}

/**
 * Whether a poll may still start at `atMs` (a rate limit may have pushed it past the final-poll time). Some polls
 * may start `untilDeadline` itself: a task's first (with a timeout shorter than the final-poll lead, the final-poll
 * time is the start, and a batch's later tasks would otherwise never be asked at all), and a final poll that the
 * server's rate limit held back past the final-poll time.
 */
export function mayStartPoll(atMs: number, deadline: Deadline, leadMs: number, untilDeadline = false): boolean {
  if (deadline.checkOnce) return true
  return atMs <= finalPollAt(deadline, leadMs) || (untilDeadline && atMs < deadline.endsAt)
}

/** A request's own time limit: `request_timeout`, cut to the time left before the deadline. */
export function requestTimeoutAt(nowMs: number, deadline: Deadline): number {
  if (deadline.checkOnce) return deadline.requestTimeoutMs
  return Math.max(1, Math.min(deadline.requestTimeoutMs, deadline.endsAt - nowMs))
}
