import { RateLimiter, WINDOW_MS } from '../src/rate-limiter.js'

/** Starts requests as early as the limiter allows from `from` on, and returns the gaps between them. */
function gapsOf(limiter: RateLimiter, count: number, from: number): number[] {
  const starts: number[] = []
  let now = from
  for (let i = 0; i < count; i++) {
    now = Math.max(now, limiter.readyAt(now))
    limiter.recordStart(now)
    starts.push(now)
  }
  return starts.slice(1).map((start, index) => start - (starts[index] ?? 0))
}

describe('RateLimiter and the server budget (X-RateLimit-Remaining / Reset)', () => {
  it('spreads the requests the server still allows over the time until its reset', () => {
    const limiter = new RateLimiter(20)
    limiter.observeBudget(0, { remaining: 10, resetInMs: 5000 })
    // 10 requests left for 5 s: one every 500 ms, not the 52.5 ms the cap of 20 per second would allow.
    expect(gapsOf(limiter, 6, 0)).toEqual([500, 500, 500, 500, 500])
  })

  it('goes back to the cap once the server window has reset', () => {
    const limiter = new RateLimiter(20)
    limiter.observeBudget(0, { remaining: 2, resetInMs: 4000 })
    limiter.recordStart(3000)
    expect(limiter.readyAt(3000)).toBe(5000)
    // At the reset the budget no longer applies: the next start is one cap spacing after the last one.
    limiter.recordStart(4000)
    expect(limiter.readyAt(4000)).toBeCloseTo(4000 + WINDOW_MS / 20, 6)
  })

  it('keeps the step rate when the budget is more generous', () => {
    const limiter = new RateLimiter(5)
    limiter.observeBudget(0, { remaining: 1000, resetInMs: 60_000 })
    expect(gapsOf(limiter, 3, 0)).toEqual([WINDOW_MS / 5, WINDOW_MS / 5])
  })

  it('waits for the reset when the server allows no more requests', () => {
    const limiter = new RateLimiter(20)
    limiter.observeBudget(1000, { remaining: 0, resetInMs: 8000 })
    expect(limiter.readyAt(1000)).toBe(9000)
  })

  it('keeps a longer Retry-After pause when the budget resets sooner', () => {
    const limiter = new RateLimiter(20)
    limiter.throttle(0, 10_000)
    limiter.observeBudget(0, { remaining: 0, resetInMs: 3000 })
    expect(limiter.readyAt(0)).toBe(10_000)
  })

  it('halves the rate again for a throttled answer a full window after the last halving', () => {
    const limiter = new RateLimiter(20)
    limiter.throttle(0, 0)
    expect(limiter.currentCap(0)).toBe(10)
    limiter.throttle(WINDOW_MS, 0)
    // One step of recovery (11), then halved.
    expect(limiter.currentCap(WINDOW_MS)).toBe(5)
  })
})
