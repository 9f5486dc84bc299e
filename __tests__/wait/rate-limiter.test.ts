import { RateLimiter, WINDOW_MS } from '../../src/wait/rate-limiter.js'

/** Starts requests as early as the limiter allows and returns their start times. */
function drive(limiter: RateLimiter, count: number, from = 0): number[] {
  const starts: number[] = []
  let now = from
  for (let i = 0; i < count; i++) {
    now = Math.max(now, limiter.readyAt(now))
    limiter.recordStart(now)
    starts.push(now)
  }
  return starts
}

function peak(starts: number[], windowMs = 1000): number {
  let best = 0
  for (const start of starts) best = Math.max(best, starts.filter((t) => t >= start && t < start + windowMs).length)
  return best
}

describe('RateLimiter', () => {
  it.each([1, 5, 20, 50])('lets at most %p requests start in any one-second window', (cap) => {
    const starts = drive(new RateLimiter(cap), cap * 5)
    expect(peak(starts)).toBeLessThanOrEqual(cap)
    // The cap is used, less the 5 % margin.
    expect(peak(starts)).toBeGreaterThanOrEqual(Math.floor(cap * (1000 / WINDOW_MS)))
    expect(starts[cap]).toBeCloseTo(WINDOW_MS, 6)
  })

  it('spaces starts evenly, so arrivals that drift by up to 50 ms still fit the cap', () => {
    const starts = drive(new RateLimiter(20), 100)
    const gaps = starts.slice(1).map((start, index) => start - (starts[index] ?? 0))
    for (const gap of gaps) expect(gap).toBeCloseTo(WINDOW_MS / 20, 6)
    // Delay every other request by 50 ms, as a slow connection would: no second holds more than 20.
    expect(peak(starts.map((start, index) => start + (index % 2) * 50))).toBeLessThanOrEqual(20)
  })

  it('pauses every request for Retry-After after throttling, then halves the rate', () => {
    const limiter = new RateLimiter(20)
    drive(limiter, 5)
    limiter.throttle(100, 3000)
    expect(limiter.readyAt(200)).toBe(3100)
    expect(limiter.currentCap(100)).toBe(10)
    const starts = drive(limiter, 30, 3100)
    expect(peak(starts)).toBeLessThanOrEqual(limiter.currentCap(3100 + 3 * WINDOW_MS))
  })

  it('pauses for one window when the throttled answer gave no Retry-After', () => {
    const limiter = new RateLimiter(20)
    limiter.throttle(100, undefined)
    expect(limiter.readyAt(100)).toBe(100 + WINDOW_MS)
  })

  it('recovers one request per second each second after throttling', () => {
    const limiter = new RateLimiter(20)
    limiter.throttle(0, undefined)
    expect(limiter.currentCap(0)).toBe(10)
    expect(limiter.currentCap(3000)).toBe(13)
    expect(limiter.currentCap(60_000)).toBe(20)
  })

  it('halves the rate once for a burst of throttled answers to requests already in flight', () => {
    const limiter = new RateLimiter(20)
    for (let i = 0; i < 5; i++) limiter.throttle(i * 10, undefined)
    expect(limiter.currentCap(50)).toBe(10)
  })

  it('never throttles below one request per second', () => {
    const limiter = new RateLimiter(2)
    for (let i = 0; i < 5; i++) limiter.throttle(i * WINDOW_MS, 0)
    expect(limiter.currentCap(4 * WINDOW_MS)).toBe(1)
  })
})

describe('RateLimiter pauses', () => {
  it('never pauses past the given limit (the final poll)', () => {
    const limiter = new RateLimiter(20)
    limiter.throttle(0, 60_000, 5000)
    expect(limiter.readyAt(10)).toBe(5000)
  })
})

/** The gaps between the starts `drive` makes. */
function gapsOf(limiter: RateLimiter, count: number, from: number): number[] {
  const starts = drive(limiter, count, from)
  return starts.slice(1).map((start, index) => start - (starts[index] ?? 0))
}

describe('RateLimiter and the server budget (X-RateLimit-Remaining / Reset)', () => {
  it('spreads the requests the server still allows over the time until its reset', () => {
    const limiter = new RateLimiter(20)
    limiter.observeBudget(0, { remaining: 10, resetInMs: 5000 })
    // 10 requests left for 5 s: the first at once, then one every 500 ms, not the 52.5 ms the cap of 20 per second would allow.
    expect(drive(limiter, 6, 0)).toEqual([0, 500, 1000, 1500, 2000, 2500])
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
