/** Time as the poller sees it. Injected, so tests and the benchmark can run the real poller on virtual time. */
export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number
  /** Calls `callback` after `ms`; returns a function that cancels it. */
  setTimer(ms: number, callback: () => void): () => void
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(ms, callback) {
    const timer = setTimeout(callback, ms)
    return () => clearTimeout(timer)
  }
}

/**
 * A sleep that ends early when `wake()` is called: the poller sleeps until the next poll is due and
 * is woken when a response arrives or the run is cancelled. At most one timer exists at a time.
 */
export class Waker {
  private pending: { resolve: () => void; cancelTimer: () => void } | undefined

  constructor(private readonly clock: Clock) {}

  /** Sleeps for `ms` (or until woken, when `ms` is Infinity). */
  sleep(ms: number): Promise<void> {
    this.wake()
    return new Promise<void>((resolve) => {
      const cancelTimer = Number.isFinite(ms) ? this.clock.setTimer(Math.max(0, ms), () => this.wake()) : () => {}
      this.pending = { resolve, cancelTimer }
    })
  }

  wake(): void {
    const pending = this.pending
    this.pending = undefined
    pending?.cancelTimer()
    pending?.resolve()
  }
}
