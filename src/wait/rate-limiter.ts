/**
 * One rate limit for every request of the step: at most `cap` request starts in any window of one
 * second. The limit belongs to the API key, so a throttling answer (HTTP 429, code 40300) for any task
 * pauses and slows all of them.
 *
 * Starts are spaced evenly rather than sent in bursts of `cap`: the server counts requests when they
 * arrive, and arrivals drift from starts (new connections, a busy network). A burst that arrives late
 * would share the server's second with the next burst; evenly spaced starts tolerate that drift.
 */

/**
 * The spacing is a little wider than 1000/cap ms, so that `cap + 1` requests never arrive within one
 * second even when some arrive up to 50 ms later than others. It costs under 5 % of the throughput.
 */
export const WINDOW_MS = 1050

import type { RateBudget } from './ports.js'

/** After throttling, the allowed rate is halved, then grows back by one request per second each second. */
const RECOVERY_MS_PER_STEP = 1000

export class RateLimiter {
  private lastStart = Number.NEGATIVE_INFINITY
  private pausedUntil = Number.NEGATIVE_INFINITY
  private throttledCap: number
  private throttledAt = Number.NEGATIVE_INFINITY
  /** From the server's X-RateLimit-* headers: the spacing that makes its remaining budget last until its reset. */
  private budgetSpacingMs = 0
  private budgetUntil = Number.NEGATIVE_INFINITY

  constructor(private readonly cap: number) {
    this.throttledCap = cap
  }

  /** The allowed rate at `nowMs`, after any throttling and its recovery. */
  currentCap(nowMs: number): number {
    const recovered = Math.floor((nowMs - this.throttledAt) / RECOVERY_MS_PER_STEP)
    return Math.min(this.cap, this.throttledCap + Math.max(0, recovered))
  }

  /**
   * When the limit next lets a request start, judged at `nowMs`; a time at or before `nowMs` means now.
   * It is not raised to `nowMs`, so a caller that compares it with a deadline is not misled by a late timer.
   */
  readyAt(nowMs: number): number {
    const budgetSpacing = nowMs < this.budgetUntil ? this.budgetSpacingMs : 0
    return Math.max(this.pausedUntil, this.lastStart + Math.max(WINDOW_MS / this.currentCap(nowMs), budgetSpacing))
  }

  /**
   * The server said how many requests it still allows before its window resets: spread them over the time
   * left, rather than running into 429s. With none left, wait for the reset.
   */
  observeBudget(nowMs: number, { remaining, resetInMs }: RateBudget): void {
    this.budgetUntil = nowMs + resetInMs
    this.budgetSpacingMs = resetInMs / Math.max(remaining, 1)
    if (remaining === 0) this.pausedUntil = Math.max(this.pausedUntil, this.budgetUntil)
  }

  /** Records a request that starts now. Callers start requests only at or after `readyAt`. */
  recordStart(nowMs: number): void {
    this.lastStart = nowMs
  }

  /**
   * The server said "too many requests": halve the rate for every task and pause all of them for
   * `retryAfterMs`, or one window when the server gave no time, but not past `notAfterMs`.
   */
  throttle(nowMs: number, retryAfterMs: number | undefined, notAfterMs = Number.POSITIVE_INFINITY): void {
    // Answers to requests that were already in flight when the rate was halved do not halve it again.
    if (nowMs - this.throttledAt >= WINDOW_MS) {
      this.throttledCap = Math.max(1, Math.floor(this.currentCap(nowMs) / 2))
      this.throttledAt = nowMs
    }
    const resumeAt = Math.min(nowMs + (retryAfterMs ?? WINDOW_MS), notAfterMs)
    this.pausedUntil = Math.max(this.pausedUntil, resumeAt)
  }
}
