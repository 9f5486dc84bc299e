import type { Clock } from '../shared/clock.js'

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
