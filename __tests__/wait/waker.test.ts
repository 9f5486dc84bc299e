import type { Clock } from '../../src/shared/clock.js'
import { Waker } from '../../src/wait/waker.js'

/** A clock whose timers fire only when the test says so. */
function manualClock(): Clock & { timers: Array<{ ms: number; fire: () => void; cancelled: boolean }> } {
  const timers: Array<{ ms: number; fire: () => void; cancelled: boolean }> = []
  return {
    timers,
    now: () => 0,
    setTimer(ms, callback) {
      const timer = { ms, fire: callback, cancelled: false }
      timers.push(timer)
      return () => {
        timer.cancelled = true
      }
    }
  }
}

const settled = async (promise: Promise<void>): Promise<boolean> => {
  let done = false
  void promise.then(() => {
    done = true
  })
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

describe('the poller sleep', () => {
  it('ends when its timer fires', async () => {
    const clock = manualClock()
    const sleep = new Waker(clock).sleep(250)
    expect(clock.timers.map((timer) => timer.ms)).toEqual([250])
    expect(await settled(sleep)).toBe(false)
    clock.timers[0]?.fire()
    expect(await settled(sleep)).toBe(true)
  })

  it('ends early when woken, and cancels its timer', async () => {
    const clock = manualClock()
    const waker = new Waker(clock)
    const sleep = waker.sleep(10_000)
    waker.wake()
    expect(await settled(sleep)).toBe(true)
    expect(clock.timers[0]?.cancelled).toBe(true)
  })

  it('without a time limit sets no timer and lasts until woken', async () => {
    const clock = manualClock()
    const waker = new Waker(clock)
    const sleep = waker.sleep(Number.POSITIVE_INFINITY)
    expect(clock.timers).toHaveLength(0)
    expect(await settled(sleep)).toBe(false)
    waker.wake()
    expect(await settled(sleep)).toBe(true)
  })

  it('treats a wait already overdue as no wait at all', () => {
    const clock = manualClock()
    void new Waker(clock).sleep(-30)
    expect(clock.timers.map((timer) => timer.ms)).toEqual([0])
  })

  it('ends the previous sleep when a new one starts, so at most one timer is live', async () => {
    const clock = manualClock()
    const waker = new Waker(clock)
    const first = waker.sleep(1000)
    const second = waker.sleep(2000)
    expect(await settled(first)).toBe(true)
    expect(clock.timers.map((timer) => timer.cancelled)).toEqual([true, false])
    expect(await settled(second)).toBe(false)
  })
})
