/**
 * The one gate every request of the step passes, status polls and wait-stream opens alike: the server sees one
 * client, so one budget. It keeps three limits:
 * - `max_requests_per_second`: starts spaced evenly, 1050 ms / cap apart, so that `cap + 1` requests never
 *   arrive within one second even when some arrive up to 50 ms late (the server counts arrivals, not starts).
 *   A throttling answer (HTTP 429, code 40300) halves the rate, which then grows back by one a second each second.
 * - The server's own account of its budget (`X-RateLimit-Remaining` / `-Reset`, from any answer): the requests
 *   it still allows are spread over the time until its reset or the final poll, whichever comes first, with a
 *   reserve kept for the final poll. Polls a hint asked for (a task just finished) skip that spreading: they are
 *   the ones worth spending on. A spare request (a wait-stream open: the polls still work without it) never spends
 *   the reserve. With nothing left, every request waits for the reset.
 * - A pause the server asked for (`Retry-After`, or a budget at 0 until its reset). When that pause reaches past
 *   the deadline, `serverAllowsAt` says so, and the wait can stop at once instead of waiting in vain.
 * Pure timing on an injected clock; the gated transport (src/memos/gated-transport.ts) feeds it what the answers said.
 */
import type { Clock } from '../shared/clock.js'
import { type StatusSource } from './ports.js'
import { RequestAbortedError, type RateBudget, type RequestOptions, type StatusOutcome } from '../shared/outcome.js'

/** The spacing window: a little over a second, so that drifting arrivals still fit the cap (under 5 % of throughput). */
export const WINDOW_MS = 1050

/** After throttling, the allowed rate is halved, then grows back by one request per second each second. */
const RECOVERY_MS_PER_STEP = 1000

/**
 * How much a request matters to the wait: `urgent` (a task's first poll, a poll a hint asked for) skips the
 * budget's spreading, `scheduled` shares it, and `spare` (a wait-stream open) waits for the reset rather than
 * spend the final polls' reserve.
 */
export type Priority = 'urgent' | 'scheduled' | 'spare'

/** What the wait tells the gate about itself: when its final poll is, and how many tasks it still waits for. */
export interface GatePlan {
  /** The latest start of the final poll (it moves as answers show how slow the server is). */
  finalPollAt(): number
  /** How many tasks are unfinished: the final poll needs one request each. */
  unfinished(): number
}

interface Budget {
  /** Requests the server still allows, counting the starts since its answer. */
  remaining: number
  resetAt: number
}

export class RequestGate {
  private lastStart = Number.NEGATIVE_INFINITY
  /** Recent starts, oldest first, to count the requests a budget answer did not know of yet. */
  private readonly starts: number[] = []
  /** Where the starts still kept begin: older ones are dropped in bulk, not one shift per start. */
  private firstStart = 0
  /** A pause of our own making (a throttling answer without Retry-After). */
  private ownPauseUntil = Number.NEGATIVE_INFINITY
  /** A pause the server asked for. */
  private serverPauseUntil = Number.NEGATIVE_INFINITY
  private throttledCap: number
  private throttledAt = Number.NEGATIVE_INFINITY
  private budget: Budget | undefined
  private plan: GatePlan | undefined

  constructor(
    private readonly cap: number,
    private readonly clock: Clock
  ) {
    this.throttledCap = cap
  }

  /** The wait's deadline and its count of unfinished tasks, so that the server's budget lasts to the final poll. */
  planFor(plan: GatePlan): void {
    this.plan = plan
  }

  /** The allowed rate at `nowMs`, after any throttling and its recovery. */
  currentCap(nowMs: number): number {
    const recovered = Math.floor((nowMs - this.throttledAt) / RECOVERY_MS_PER_STEP)
    return Math.min(this.cap, this.throttledCap + Math.max(0, recovered))
  }

  /**
   * When a request of this priority may next start, judged at `nowMs`; a time at or before `nowMs` means now.
   * It is not raised to `nowMs`, so a caller that compares it with a deadline is not misled by a late timer.
   */
  readyAt(nowMs: number, priority: Priority): number {
    const paced = Math.max(this.ownPauseUntil, this.serverPauseUntil, this.lastStart + WINDOW_MS / this.currentCap(nowMs))
    return Math.max(paced, this.budgetReadyAt(nowMs, priority))
  }

  /** When the server's own limits let any request through again; -Infinity when they do not hold one back. */
  serverAllowsAt(nowMs: number): number {
    const budget = this.liveBudget(nowMs)
    const exhausted = budget !== undefined && budget.remaining <= 0 ? budget.resetAt : Number.NEGATIVE_INFINITY
    return Math.max(this.serverPauseUntil, exhausted)
  }

  /**
   * Admits a request as soon as the limits allow; resolves with its start time. When it may start now, it is
   * admitted at once, in the same call: a caller that waited for `readyAt` starts exactly one request per slot.
   */
  acquire(priority: Priority, signal: AbortSignal): Promise<number> {
    const now = this.clock.now()
    if (signal.aborted) return Promise.reject(new RequestAbortedError())
    if (this.readyAt(now, priority) <= now) return Promise.resolve(this.recordStart(now))
    return new Promise<number>((resolve, reject) => {
      let cancel = (): void => {}
      const onAbort = (): void => {
        cancel()
        reject(new RequestAbortedError())
      }
      const retry = (): void => {
        const at = this.clock.now()
        const ready = this.readyAt(at, priority)
        if (ready > at) {
          cancel = this.clock.setTimer(ready - at, retry)
          return
        }
        signal.removeEventListener('abort', onAbort)
        resolve(this.recordStart(at))
      }
      signal.addEventListener('abort', onAbort)
      cancel = this.clock.setTimer(this.readyAt(now, priority) - now, retry)
    })
  }

  /**
   * One status request: started once admitted (at once, in this call, when the limits allow), its classified
   * answer then teaching the gate.
   */
  async send(options: RequestOptions, request: () => Promise<StatusOutcome>): Promise<StatusOutcome> {
    const startedAt = await this.acquire(options.urgent === true ? 'urgent' : 'scheduled', options.signal)
    const outcome = await request()
    this.learn(outcome, startedAt, this.clock.now())
    return outcome
  }

  /** What a classified answer says about the limits: its budget, and whether it throttled. */
  learn(outcome: StatusOutcome, startedAt: number, nowMs: number): void {
    if (outcome.budget) this.observeBudget(outcome.budget, startedAt, nowMs)
    if (outcome.kind === 'transient' && outcome.throttled) this.throttle(nowMs, outcome.retryAfterMs)
  }

  /**
   * The server's budget, from the answer to a request started at `startedAt`: requests started after it are
   * not counted in it yet. With none left, every request waits for the reset.
   */
  observeBudget({ remaining, resetInMs }: RateBudget, startedAt: number, nowMs: number): void {
    const later = this.starts.length - countUpTo(this.starts, startedAt, this.firstStart)
    this.budget = { remaining: remaining - later, resetAt: nowMs + resetInMs }
    if (remaining === 0) this.serverPauseUntil = Math.max(this.serverPauseUntil, nowMs + resetInMs)
  }

  /**
   * The server said "too many requests": halve the rate and pause every request for `retryAfterMs` (the
   * server's pause), or one window when it gave no time (a pause of our own).
   */
  throttle(nowMs: number, retryAfterMs: number | undefined): void {
    // Answers to requests that were already in flight when the rate was halved do not halve it again.
    if (nowMs - this.throttledAt >= WINDOW_MS) {
      this.throttledCap = Math.max(1, Math.floor(this.currentCap(nowMs) / 2))
      this.throttledAt = nowMs
    }
    if (retryAfterMs === undefined) this.ownPauseUntil = Math.max(this.ownPauseUntil, nowMs + WINDOW_MS)
    else this.serverPauseUntil = Math.max(this.serverPauseUntil, nowMs + retryAfterMs)
  }

  private recordStart(nowMs: number): number {
    this.lastStart = nowMs
    this.starts.push(nowMs)
    if (this.budget) this.budget.remaining--
    // Only starts after the oldest answer still out matter; a minute of them is plenty.
    // Stryker disable next-line EqualityOperator: a start exactly a minute old has left the server's window either way
    while ((this.starts[this.firstStart] as number) < nowMs - 60_000) this.firstStart++
    // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: letting go more often only costs time; the bound is tested
    if (this.firstStart > 1024 && this.firstStart * 2 > this.starts.length) {
      this.starts.splice(0, this.firstStart)
      this.firstStart = 0
    }
    return nowMs
  }

  private liveBudget(nowMs: number): Budget | undefined {
    return this.budget && nowMs < this.budget.resetAt ? this.budget : undefined
  }

  /** The server's budget's say: nothing left means the reset; otherwise scheduled requests share what is left. */
  private budgetReadyAt(nowMs: number, priority: Priority): number {
    const budget = this.liveBudget(nowMs)
    if (!budget) return Number.NEGATIVE_INFINITY
    const left = budget.remaining
    if (left <= 0) return budget.resetAt
    if (priority === 'urgent') return Number.NEGATIVE_INFINITY
    const finalPollAt = this.plan?.finalPollAt() ?? Number.POSITIVE_INFINITY
    // From the final poll on, the reserve is what the final poll spends.
    if (nowMs >= finalPollAt) return priority === 'spare' ? budget.resetAt : Number.NEGATIVE_INFINITY
    const horizon = Math.min(budget.resetAt, finalPollAt)
    // One request for each unfinished task's final poll; a budget too small for that goes to the final poll whole.
    const reserve = this.plan?.unfinished() ?? 0
    const spendable = left - reserve
    if (spendable <= 0) return priority === 'spare' ? budget.resetAt : horizon
    if (this.lastStart === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY
    // Evenly from the last start, the last of them one step before the horizon (where the reserve or the reset is).
    return this.lastStart + (horizon - this.lastStart) / (spendable + 1)
  }
}

/** How many of the sorted `values` are at or below `limit`, counting from `from` (those before it as well). */
function countUpTo(values: number[], limit: number, from: number): number {
  let low = from
  let high = values.length
  while (low < high) {
    const middle = (low + high) >> 1
    if ((values[middle] as number) <= limit) low = middle + 1
    else high = middle
  }
  return low
}

/** A status source whose requests pass the gate, and whose answers teach it: for a source not behind one already. */
export function gatedSource(source: StatusSource, gate: RequestGate): StatusSource {
  return { getStatus: (taskId, options) => gate.send(options, () => source.getStatus(taskId, options)) }
}
