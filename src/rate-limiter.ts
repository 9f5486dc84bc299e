/**
 * One rate limit for every request of the step: at most `cap` request starts in any window of one
 * second. The limit belongs to the API key, so a throttling answer (HTTP 429, code 40300) for any task
 * pauses and slows all of them.
 */

/**
 * The window is a little longer than a second, so that the server, which sees requests a few
 * milliseconds after they start and not always with the same delay, never counts more than `cap` in
 * one of its seconds. It costs under 5 % of the throughput.
 */
export const WINDOW_MS = 1050

/** After throttling, the allowed rate is halved, then grows back by one request per second each second. */
const RECOVERY_MS_PER_STEP = 1000

export class RateLimiter {
  /** Start times of the last `cap` requests, oldest first, in a ring. */
  private readonly starts: number[]
  private next = 0
  private count = 0
  private pausedUntil = 0
  private throttledCap: number
  private throttledAt = Number.NEGATIVE_INFINITY

  constructor(private readonly cap: number) {
    this.starts = new Array<number>(cap).fill(0)
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
    const cap = this.currentCap(nowMs)
    let at = this.pausedUntil
    if (this.count >= cap) {
      // The cap-th most recent start must have left the window.
      const index = (this.next - cap + this.starts.length) % this.starts.length
      at = Math.max(at, (this.starts[index] ?? 0) + WINDOW_MS)
    }
    return at
  }

  /** Records a request that starts now. Callers start requests only at or after `readyAt`. */
  recordStart(nowMs: number): void {
    this.starts[this.next] = nowMs
    this.next = (this.next + 1) % this.starts.length
    this.count = Math.min(this.count + 1, this.starts.length)
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
