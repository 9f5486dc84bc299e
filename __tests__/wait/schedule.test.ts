import { seededRandom as seeded } from '../../testing/virtual-clock.js'
import {
  DEFAULT_SHAPE,
  finalPollAt,
  finalPollLead,
  hintedPollDelay,
  mayStartPoll,
  nextPollAt,
  planDeadline,
  pollDelay,
  requestTimeoutAt,
  retryDelay,
  targetDelay
} from '../../src/wait/schedule.js'

const settings = { intervalMs: 500, maxIntervalMs: 30_000 }
const edges = [() => 0, () => 0.5, () => 0.999999]

describe('the polling schedule', () => {
  it('starts flat at interval, grows with the time waited, and stops growing at max_interval', () => {
    expect(targetDelay(0, settings)).toBe(500)
    expect(targetDelay(2000, settings)).toBe(500)
    expect(targetDelay(20_000, settings)).toBe(20_000 * DEFAULT_SHAPE.growth)
    expect(targetDelay(600_000, settings)).toBe(30_000)
  })

  it('never shrinks as the wait goes on (monotone growth)', () => {
    let previous = 0
    for (let elapsed = 0; elapsed <= 3_600_000; elapsed += 250) {
      const target = targetDelay(elapsed, settings)
      expect(target).toBeGreaterThanOrEqual(previous)
      previous = target
    }
  })

  it('keeps every jittered wait within ±jitter/2 of its target and within interval..max_interval', () => {
    const random = seeded(42)
    for (let elapsed = 0; elapsed <= 3_600_000; elapsed += 997) {
      const target = targetDelay(elapsed, settings)
      for (const draw of [random, ...edges]) {
        const delay = pollDelay(elapsed, settings, draw)
        expect(delay).toBeGreaterThanOrEqual(Math.max(settings.intervalMs, Math.floor(target * (1 - DEFAULT_SHAPE.jitter / 2))))
        expect(delay).toBeLessThanOrEqual(Math.min(settings.maxIntervalMs, Math.ceil(target * (1 + DEFAULT_SHAPE.jitter / 2))))
      }
    }
  })

  it('really jitters: waits at the same point differ between draws', () => {
    const random = seeded(7)
    const draws = new Set(Array.from({ length: 20 }, () => pollDelay(60_000, settings, random)))
    expect(draws.size).toBeGreaterThan(10)
  })

  it('backs off after transient problems, doubling from interval up to max_interval', () => {
    const middle = () => 0.5
    expect([1, 2, 3, 4, 5].map((failures) => retryDelay(0, failures, undefined, settings, middle))).toEqual([500, 1000, 2000, 4000, 8000])
    expect(retryDelay(0, 40, undefined, settings, middle)).toBe(30_000)
  })

  it('waits at least as long as Retry-After asks, and no longer than the back-off when it asks for less', () => {
    expect(retryDelay(0, 1, 12_000, settings, () => 0.5)).toBe(12_000)
    expect(retryDelay(0, 3, 100, settings, () => 0.5)).toBe(2000)
  })

  it('never backs off less than an ordinary poll waits at that point', () => {
    // 100 s in, an ordinary wait is 13 s: the first retry waits that long, not interval.
    expect(retryDelay(100_000, 1, undefined, settings, () => 0.5)).toBe(13_000)
  })

  it('while hints are reliable, waits 15 × max_interval (7.5 minutes at 30 s), spread ±10 %', () => {
    expect(hintedPollDelay(settings, () => 0.5)).toBe(450_000)
    expect(new Set(edges.map((draw) => hintedPollDelay(settings, draw)))).toEqual(new Set([405_000, 450_000, 495_000]))
    expect(hintedPollDelay({ intervalMs: 500, maxIntervalMs: 2000 }, () => 0.5)).toBe(30_000)
  })
})

describe('the deadline', () => {
  const deadline = planDeadline(1000, 60_000, 30_000)
  const lead = 200
  const last = finalPollAt(deadline, lead)

  it('cuts the last wait short so that one final poll starts just before the deadline', () => {
    expect(last).toBe(1000 + 60_000 - lead)
    expect(nextPollAt(1000 + 55_000, 20_000, deadline, lead)).toBe(last)
    expect(nextPollAt(1000 + 10_000, 2000, deadline, lead)).toBe(1000 + 12_000)
  })

  it('plans no poll after the final one', () => {
    expect(nextPollAt(last, 500, deadline, lead)).toBeUndefined()
    expect(mayStartPoll(last, deadline, lead)).toBe(true)
    expect(mayStartPoll(last + 1, deadline, lead)).toBe(false)
  })

  it("lets a task's first poll start until the deadline itself, so a short timeout still asks every task once", () => {
    const short = planDeadline(0, 1500, 30_000)
    expect(mayStartPoll(50, short, 2000)).toBe(false)
    expect(mayStartPoll(50, short, 2000, true)).toBe(true)
    expect(mayStartPoll(1499, short, 2000, true)).toBe(true)
    expect(mayStartPoll(1500, short, 2000, true)).toBe(false)
  })

  it.each([
    ['no answer seen yet', undefined, DEFAULT_SHAPE.finalPoll.maxLeadMs],
    ['fast answers (loopback)', 3, DEFAULT_SHAPE.finalPoll.minLeadMs],
    ['300 ms answers', 300, 600],
    ['very slow answers', 5000, DEFAULT_SHAPE.finalPoll.maxLeadMs]
  ])('leads the final poll by twice the slowest answer, within bounds: %s', (_name, slowest, expected) => {
    expect(finalPollLead(slowest)).toBe(expected)
  })

  it('gives each request the smaller of request_timeout and the time left', () => {
    expect(requestTimeoutAt(1000, deadline)).toBe(30_000)
    expect(requestTimeoutAt(1000 + 50_000, deadline)).toBe(10_000)
    expect(requestTimeoutAt(last, deadline)).toBe(lead)
  })

  it('with timeout 0, checks once with the full request_timeout', () => {
    const once = planDeadline(0, 0, 30_000)
    expect(once.checkOnce).toBe(true)
    expect(requestTimeoutAt(0, once)).toBe(30_000)
    expect(nextPollAt(0, 500, once, lead)).toBeUndefined()
    expect(mayStartPoll(5000, once, lead)).toBe(true)
  })

  it('never leads the final poll by more than the timeout or request_timeout', () => {
    expect(finalPollAt(planDeadline(0, 400, 30_000), 2000)).toBe(0)
    expect(finalPollAt(planDeadline(0, 60_000, 500), 2000)).toBe(59_500)
  })
})
