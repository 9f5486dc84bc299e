import { getEventListeners } from 'node:events'
import type { Clock } from '../../src/shared/clock.js'
import { RequestAbortedError } from '../../src/shared/outcome.js'
import { gatedSource, RequestGate, WINDOW_MS } from '../../src/wait/request-gate.js'

/** A clock the test moves by hand; its timers fire when it is moved past them. */
function manualClock(): Clock & { time: number; advance(to: number): void } {
  const timers: Array<{ at: number; fire: () => void; cancelled: boolean }> = []
  const clock = {
    time: 0,
    now: () => clock.time,
    setTimer(ms: number, fire: () => void) {
      const timer = { at: clock.time + ms, fire, cancelled: false }
      timers.push(timer)
      return () => {
        timer.cancelled = true
      }
    },
    advance(to: number) {
      for (;;) {
        const due = timers.filter((timer) => !timer.cancelled && timer.at <= to).sort((a, b) => a.at - b.at)[0]
        if (!due) break
        due.cancelled = true
        clock.time = Math.max(clock.time, due.at)
        due.fire()
      }
      clock.time = to
    }
  }
  return clock
}

const signal = new AbortController().signal

/** Starts requests as early as the gate allows and returns their start times. */
function drive(gate: RequestGate, clock: ReturnType<typeof manualClock>, count: number, from = 0, urgent = false): number[] {
  const starts: number[] = []
  clock.time = Math.max(clock.time, from)
  for (let i = 0; i < count; i++) {
    clock.time = Math.max(clock.time, gate.readyAt(clock.time, urgent ? 'urgent' : 'scheduled'))
    // Admitted in the same call when it may start now.
    void gate.acquire(urgent ? 'urgent' : 'scheduled', signal)
    starts.push(clock.time)
  }
  return starts
}

function peak(starts: number[], windowMs = 1000): number {
  let best = 0
  for (const start of starts) best = Math.max(best, starts.filter((t) => t >= start && t < start + windowMs).length)
  return best
}

const gaps = (starts: number[]): number[] => starts.slice(1).map((start, index) => start - (starts[index] ?? 0))

function gateOf(cap: number): { gate: RequestGate; clock: ReturnType<typeof manualClock> } {
  const clock = manualClock()
  return { gate: new RequestGate(cap, clock), clock }
}

describe('the step rate (max_requests_per_second)', () => {
  it.each([1, 5, 20, 50])('lets at most %p requests start in any one-second window', (cap) => {
    const { gate, clock } = gateOf(cap)
    const starts = drive(gate, clock, cap * 5)
    expect(peak(starts)).toBeLessThanOrEqual(cap)
    // The cap is used, less the 5 % margin.
    expect(peak(starts)).toBeGreaterThanOrEqual(Math.floor(cap * (1000 / WINDOW_MS)))
    expect(starts[cap]).toBeCloseTo(WINDOW_MS, 6)
  })

  it('spaces starts evenly, so arrivals that drift by up to 50 ms still fit the cap', () => {
    const { gate, clock } = gateOf(20)
    const starts = drive(gate, clock, 100)
    for (const gap of gaps(starts)) expect(gap).toBeCloseTo(WINDOW_MS / 20, 6)
    // Delay every other request by 50 ms, as a slow connection would: no second holds more than 20.
    expect(peak(starts.map((start, index) => start + (index % 2) * 50))).toBeLessThanOrEqual(20)
  })

  it('applies to urgent requests too', () => {
    const { gate, clock } = gateOf(20)
    expect(gaps(drive(gate, clock, 3, 0, true))).toEqual([WINDOW_MS / 20, WINDOW_MS / 20])
  })
})

describe('throttling (HTTP 429, code 40300)', () => {
  it('pauses every request for Retry-After, then halves the rate', () => {
    const { gate, clock } = gateOf(20)
    drive(gate, clock, 5)
    gate.throttle(100, 3000)
    expect(gate.readyAt(200, 'scheduled')).toBe(3100)
    expect(gate.readyAt(200, 'urgent')).toBe(3100)
    expect(gate.currentCap(100)).toBe(10)
    const starts = drive(gate, clock, 30, 3100)
    expect(peak(starts)).toBeLessThanOrEqual(gate.currentCap(3100 + 3 * WINDOW_MS))
  })

  it('pauses for one window when the throttled answer gave no Retry-After: a pause of its own, not the server', () => {
    const { gate } = gateOf(20)
    gate.throttle(100, undefined)
    expect(gate.readyAt(100, 'scheduled')).toBe(100 + WINDOW_MS)
    expect(gate.serverAllowsAt(100)).toBe(Number.NEGATIVE_INFINITY)
  })

  it("says when the server's Retry-After lets a request through", () => {
    const { gate } = gateOf(20)
    gate.throttle(100, 60_000)
    expect(gate.serverAllowsAt(200)).toBe(60_100)
  })

  it('recovers one request per second each second after throttling', () => {
    const { gate } = gateOf(20)
    gate.throttle(0, undefined)
    expect(gate.currentCap(0)).toBe(10)
    expect(gate.currentCap(3000)).toBe(13)
    expect(gate.currentCap(60_000)).toBe(20)
  })

  it('halves the rate once for a burst of throttled answers to requests already in flight', () => {
    const { gate } = gateOf(20)
    for (let i = 0; i < 5; i++) gate.throttle(i * 10, undefined)
    expect(gate.currentCap(50)).toBe(10)
  })

  it('halves the rate again for a throttled answer a full window after the last halving', () => {
    const { gate } = gateOf(20)
    gate.throttle(0, 0)
    expect(gate.currentCap(0)).toBe(10)
    gate.throttle(WINDOW_MS, 0)
    // One step of recovery (11), then halved.
    expect(gate.currentCap(WINDOW_MS)).toBe(5)
  })

  it('never throttles below one request per second', () => {
    const { gate } = gateOf(2)
    for (let i = 0; i < 5; i++) gate.throttle(i * WINDOW_MS, 0)
    expect(gate.currentCap(4 * WINDOW_MS)).toBe(1)
  })

  it('learns from a classified answer: its budget, and whether it throttled', () => {
    const { gate } = gateOf(20)
    gate.learn({ kind: 'transient', reason: 'HTTP 429', problem: 'HTTP 429', throttled: true, retryAfterMs: 2000 }, 0, 10)
    expect(gate.serverAllowsAt(10)).toBe(2010)
    gate.learn({ kind: 'status', status: 'running', data: {}, budget: { remaining: 0, resetInMs: 5000 } }, 0, 20)
    expect(gate.serverAllowsAt(20)).toBe(5020)
  })

  it('is not slowed by a failure that is no throttling (a 503)', () => {
    const { gate } = gateOf(20)
    gate.learn({ kind: 'transient', reason: 'HTTP 503', problem: 'HTTP 503', throttled: false, retryAfterMs: 2000 }, 0, 10)
    expect(gate.currentCap(10)).toBe(20)
    expect(gate.readyAt(10, 'scheduled')).toBe(Number.NEGATIVE_INFINITY)
    expect(gate.serverAllowsAt(10)).toBe(Number.NEGATIVE_INFINITY)
  })
})

describe("the server's budget (X-RateLimit-Remaining / Reset)", () => {
  it('spreads the requests the server still allows over the time until its reset', () => {
    const { gate, clock } = gateOf(20)
    gate.observeBudget({ remaining: 10, resetInMs: 5000 }, -1, 0)
    // 10 requests left for 5 s: the first at once, then one every 500 ms, not the 52.5 ms the cap of 20 per second would allow.
    expect(drive(gate, clock, 6)).toEqual([0, 500, 1000, 1500, 2000, 2500])
  })

  it('spreads them to the final poll instead when that comes first, keeping a reserve for it', () => {
    const { gate, clock } = gateOf(20)
    gate.planFor({ finalPollAt: () => 10_000, unfinished: () => 2 })
    gate.observeBudget({ remaining: 12, resetInMs: 60_000 }, -1, 0)
    const starts = drive(gate, clock, 11)
    // Two kept for the final poll: ten spread over the 10 s to it; the rest waits for the final-poll time.
    expect(gaps(starts.slice(0, 10)).map(Math.round)).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000])
    expect(starts[10]).toBe(10_000)
    // From the final-poll time on, the reserve is spent at the step rate; then nothing is left until the reset.
    expect(drive(gate, clock, 2)).toEqual([10_000 + WINDOW_MS / 20, 60_000])
  })

  it('paces the last request the server allows to the final poll', () => {
    const { gate, clock } = gateOf(20)
    gate.planFor({ finalPollAt: () => 8000, unfinished: () => 1 })
    gate.observeBudget({ remaining: 1, resetInMs: 60_000 }, -1, 0)
    clock.time = 100
    expect(gate.readyAt(100, 'scheduled')).toBe(8000)
    // A request a hint asked for may spend it at once.
    expect(gate.readyAt(100, 'urgent')).toBeLessThanOrEqual(100)
  })

  it("keeps the final polls' reserve from a spare request (a wait-stream open), which waits for the reset", () => {
    const { gate, clock } = gateOf(20)
    gate.planFor({ finalPollAt: () => 10_000, unfinished: () => 2 })
    gate.observeBudget({ remaining: 3, resetInMs: 60_000 }, -1, 0)
    // One request is spendable before the reserve: a spare request may take it, like a scheduled one.
    expect(gate.readyAt(0, 'spare')).toBe(Number.NEGATIVE_INFINITY)
    drive(gate, clock, 1)
    clock.time = 100
    expect(gate.readyAt(100, 'scheduled')).toBe(10_000)
    expect(gate.readyAt(100, 'spare')).toBe(60_000)
    // At the final-poll time the reserve goes to the final polls, still not to a spare request.
    expect(gate.readyAt(10_000, 'scheduled')).toBeLessThanOrEqual(10_000)
    expect(gate.readyAt(10_000, 'spare')).toBe(60_000)
  })

  it('counts the requests started after the one whose answer brought the budget', () => {
    const { gate, clock } = gateOf(20)
    drive(gate, clock, 3)
    // The answer to the first request (started at 0) says 2 are left: the two started since have used them.
    gate.observeBudget({ remaining: 2, resetInMs: 5000 }, 0, 200)
    expect(gate.serverAllowsAt(200)).toBe(5200)
    expect(gate.readyAt(200, 'urgent')).toBe(5200)
  })

  it('counts the answered request itself as known to the budget, and only later ones as not', () => {
    const { gate, clock } = gateOf(20)
    const [answered] = drive(gate, clock, 3)
    // Three left as of the first request: the two started since leave one, which an urgent request may take.
    gate.observeBudget({ remaining: 3, resetInMs: 5000 }, answered as number, 200)
    expect(gate.serverAllowsAt(200)).toBe(Number.NEGATIVE_INFINITY)
    drive(gate, clock, 1, 200, true)
    expect(gate.serverAllowsAt(clock.time)).toBe(5200)
  })

  it('keeps a spare request back from the very moment of the final poll, though the budget has more', () => {
    const { gate } = gateOf(20)
    gate.planFor({ finalPollAt: () => 10_000, unfinished: () => 1 })
    gate.observeBudget({ remaining: 10, resetInMs: 60_000 }, -1, 0)
    expect(gate.readyAt(9_999, 'spare')).toBe(Number.NEGATIVE_INFINITY)
    expect(gate.readyAt(10_000, 'spare')).toBe(60_000)
    expect(gate.readyAt(10_000, 'scheduled')).toBe(Number.NEGATIVE_INFINITY)
  })

  it('keeps the step rate when the budget is more generous', () => {
    const { gate, clock } = gateOf(5)
    gate.observeBudget({ remaining: 1000, resetInMs: 60_000 }, -1, 0)
    expect(gaps(drive(gate, clock, 3))).toEqual([WINDOW_MS / 5, WINDOW_MS / 5])
  })

  it('waits for the reset when the server allows no more requests, urgent ones included', () => {
    const { gate } = gateOf(20)
    gate.observeBudget({ remaining: 0, resetInMs: 8000 }, -1, 1000)
    expect(gate.readyAt(1000, 'scheduled')).toBe(9000)
    expect(gate.readyAt(1000, 'urgent')).toBe(9000)
    expect(gate.serverAllowsAt(1000)).toBe(9000)
  })

  it('goes back to the step rate once the server window has reset', () => {
    const { gate, clock } = gateOf(20)
    gate.observeBudget({ remaining: 2, resetInMs: 4000 }, -1, 0)
    drive(gate, clock, 1, 4000)
    expect(gate.readyAt(4000, 'scheduled')).toBeCloseTo(4000 + WINDOW_MS / 20, 6)
    expect(gate.serverAllowsAt(4000)).toBe(Number.NEGATIVE_INFINITY)
  })

  it('holds to a budget at 0 until its reset, though an answer to an older request says more are left', () => {
    const { gate } = gateOf(20)
    gate.observeBudget({ remaining: 0, resetInMs: 5000 }, -1, 1000)
    gate.observeBudget({ remaining: 3, resetInMs: 5000 }, -1, 1100)
    expect(gate.serverAllowsAt(1200)).toBe(6000)
    expect(gate.readyAt(1200, 'urgent')).toBe(6000)
  })

  it('lets go of a used-up budget once its reset has passed', () => {
    const { gate, clock } = gateOf(20)
    gate.observeBudget({ remaining: 1, resetInMs: 4000 }, -1, 0)
    drive(gate, clock, 1, 0, true)
    // Used up by the step's own start, not by the server's word: only the budget holds requests back.
    expect(gate.serverAllowsAt(3999)).toBe(4000)
    expect(gate.serverAllowsAt(4000)).toBe(Number.NEGATIVE_INFINITY)
    expect(gate.readyAt(4000, 'spare')).toBeCloseTo(WINDOW_MS / 20, 6)
  })

  it('keeps a longer Retry-After pause when the budget resets sooner', () => {
    const { gate } = gateOf(20)
    gate.throttle(0, 10_000)
    gate.observeBudget({ remaining: 0, resetInMs: 3000 }, -1, 0)
    expect(gate.readyAt(0, 'scheduled')).toBe(10_000)
  })
})

describe('admitting a request', () => {
  it('admits at once, in the same call, when the limits allow', async () => {
    const { gate } = gateOf(20)
    const admitted = gate.acquire('scheduled', signal)
    // Recorded before the promise settles: the next request's turn has moved.
    expect(gate.readyAt(0, 'scheduled')).toBeCloseTo(WINDOW_MS / 20, 6)
    await expect(admitted).resolves.toBe(0)
  })

  it('waits for its turn on the clock', async () => {
    const { gate, clock } = gateOf(1)
    void gate.acquire('scheduled', signal)
    let admittedAt: number | undefined
    void gate.acquire('scheduled', signal).then((at) => (admittedAt = at))
    clock.advance(500)
    await Promise.resolve()
    expect(admittedAt).toBeUndefined()
    clock.advance(2000)
    await new Promise((resolve) => setImmediate(resolve))
    expect(admittedAt).toBe(WINDOW_MS)
  })

  it('gives up waiting when the request is aborted', async () => {
    const { gate } = gateOf(1)
    void gate.acquire('scheduled', signal)
    const abort = new AbortController()
    const waiting = gate.acquire('scheduled', abort.signal)
    abort.abort()
    await expect(waiting).rejects.toBeInstanceOf(RequestAbortedError)
    await expect(gate.acquire('scheduled', abort.signal)).rejects.toBeInstanceOf(RequestAbortedError)
  })

  it('takes the turn of an aborted request back: the next request is not spaced from it', async () => {
    const { gate, clock } = gateOf(1)
    void gate.acquire('scheduled', signal)
    const abort = new AbortController()
    const aborted = gate.acquire('scheduled', abort.signal)
    abort.abort()
    await expect(aborted).rejects.toBeInstanceOf(RequestAbortedError)
    // Its turn would have been at 1050 ms: had it been taken, the next would wait for 2100 ms.
    clock.advance(2000)
    await expect(gate.acquire('scheduled', signal)).resolves.toBe(2000)
  })

  it('waits longer when the limits move while it waits', async () => {
    const { gate, clock } = gateOf(1)
    void gate.acquire('scheduled', signal)
    let admittedAt: number | undefined
    void gate.acquire('scheduled', signal).then((at) => (admittedAt = at))
    // Throttled before its turn came: the server's pause holds it.
    gate.throttle(500, 3000)
    clock.advance(3000)
    await new Promise((resolve) => setImmediate(resolve))
    expect(admittedAt).toBeUndefined()
    clock.advance(4000)
    await new Promise((resolve) => setImmediate(resolve))
    expect(admittedAt).toBe(3500)
  })

  it('leaves no listener on a signal that outlives the request, once it is admitted', async () => {
    const { gate, clock } = gateOf(1)
    const shared = new AbortController()
    void gate.acquire('scheduled', shared.signal)
    const waiting = gate.acquire('scheduled', shared.signal)
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1)
    clock.advance(2000)
    await waiting
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0)
  })

  it('sends a request a hint asked for at once, and spreads a scheduled one over the budget', async () => {
    const { gate, clock } = gateOf(20)
    const source = gatedSource({ getStatus: async () => ({ kind: 'status', status: 'running', data: {} }) }, gate)
    await source.getStatus('t', { timeoutMs: 1000, signal })
    gate.observeBudget({ remaining: 4, resetInMs: 5000 }, 0, 0)
    clock.time = 100
    let answered = 0
    const settled = (): Promise<unknown> => new Promise((resolve) => setImmediate(resolve))
    void source.getStatus('t', { timeoutMs: 1000, signal, urgent: true }).then(() => answered++)
    void source.getStatus('t', { timeoutMs: 1000, signal }).then(() => answered++)
    await settled()
    expect(answered).toBe(1)
    // The scheduled one, spread: from the urgent start at 100 ms, the three left share the 4.9 s to the reset.
    clock.advance(100 + 4900 / 4 - 1)
    await settled()
    expect(answered).toBe(1)
    clock.advance(100 + 4900 / 4)
    await settled()
    expect(answered).toBe(2)
  })

  it('puts a source that has no gate of its own behind one, and learns from its answers', async () => {
    const { gate } = gateOf(20)
    const source = gatedSource(
      { getStatus: async () => ({ kind: 'transient', reason: 'HTTP 429', problem: 'HTTP 429', throttled: true, retryAfterMs: 4000 }) },
      gate
    )
    await source.getStatus('t', { timeoutMs: 1000, signal })
    expect(gate.serverAllowsAt(0)).toBe(4000)
  })
})

describe('the starts the gate remembers', () => {
  it('counts the starts after an answered request also after an hour of them, the old ones dropped', () => {
    const { gate, clock } = gateOf(50)
    // An hour at 50 a second: 171,000 starts, of which the last minute's are kept.
    const starts = drive(gate, clock, 171_000)
    const answeredStart = clock.time - 500
    gate.observeBudget({ remaining: 100, resetInMs: 60_000 }, answeredStart, clock.time)
    // 100 left as of the answered request, less the starts since.
    const left = 100 - starts.filter((start) => start > answeredStart).length
    drive(gate, clock, left - 1, clock.time, true)
    expect(gate.serverAllowsAt(clock.time)).toBe(Number.NEGATIVE_INFINITY)
    const [last] = drive(gate, clock, 1, clock.time, true)
    // That was the last: the next request waits for the reset.
    expect(gate.readyAt(last as number, 'urgent')).toBe(answeredStart + 500 + 60_000)
  })

  it('keeps at most about two minutes of starts, however long the step runs', () => {
    const { gate, clock } = gateOf(50)
    drive(gate, clock, 171_000)
    // What it holds is private; its size is the memory bound. A minute at 50 a second is 3,000 starts, and old ones
    // are let go in bulk once they are as many as those kept.
    const kept = (gate as unknown as { starts: number[] }).starts.length
    expect(kept).toBeLessThanOrEqual(2 * 3000 + 2)
  })
})
