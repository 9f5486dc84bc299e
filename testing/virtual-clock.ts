/**
 * A clock for running the real poller on simulated time: timers fire in time order, each after every
 * promise that can settle has settled, so a 30-minute wait runs in milliseconds and gives the same
 * answer on a busy machine as on an idle one.
 */
import type { Clock } from '../src/shared/clock.js'
import { MinHeap } from '../src/wait/min-heap.js'

interface Timer {
  at: number
  seq: number
  callback: () => void
  cancelled: boolean
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export class VirtualClock implements Clock {
  private seq = 0
  private readonly timers = new MinHeap<Timer>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq))

  /** `time`: where the clock starts, for a test that checks that times are measured from the start of the work. */
  constructor(private time = 0) {}

  now(): number {
    return this.time
  }

  setTimer(ms: number, callback: () => void): () => void {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, callback, cancelled: false }
    this.timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve))
  }

  /** Advances time, timer by timer, until `work` settles; fails if it waits with no timer left. */
  async run<T>(work: Promise<T>): Promise<T> {
    let done = false
    const settled = work.finally(() => {
      done = true
    })
    // Handled here so that work that rejects between two timers is not reported as an unhandled rejection.
    settled.catch(() => undefined)
    for (;;) {
      await settle()
      if (done) return settled
      let next = this.timers.pop()
      while (next?.cancelled) next = this.timers.pop()
      if (!next) throw new Error('the work is waiting, but no timer is set')
      this.time = Math.max(this.time, next.at)
      next.callback()
    }
  }
}

/** A seeded random source in [0, 1), so simulated runs and property tests repeat their draws exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}
