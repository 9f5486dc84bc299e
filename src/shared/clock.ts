/**
 * Time as the action sees it. Injected everywhere a timer or the time is read (the wait, the wait stream, the
 * HTTP layer's timeouts), so tests and the benchmark can run the real code on virtual time.
 */
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
