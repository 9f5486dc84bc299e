import { OutageLog, problemOf } from '../src/outage-log.js'
import type { StatusOutcome } from '../src/status-source.js'
import { recordingLog } from './helpers/harness.js'

const answer: StatusOutcome = { kind: 'status', status: 'running', data: {} }
const unavailable: StatusOutcome = { kind: 'transient', reason: 'HTTP 503, text/html, empty body', throttled: false }
const refused: StatusOutcome = {
  kind: 'transient',
  reason: 'connection refused (127.0.0.1:8000, ECONNREFUSED)',
  problem: 'connection refused',
  hint: 'a server may still be starting',
  unreached: '127.0.0.1:8000',
  throttled: false
}

/** Feeds outcomes one second apart, as the poller would, and logs each problem. */
function feed(outages: OutageLog, outcomes: StatusOutcome[]): void {
  outcomes.forEach((outcome, second) => {
    outages.observe(outcome, second * 1000)
    if (outcome.kind === 'transient') outages.problem('', outcome, 'retrying in 1s', second * 1000)
  })
}

describe('the kind of a problem', () => {
  it.each([
    ['HTTP 503, text/html, not JSON: …', 'HTTP 503'],
    ['MemOS server error (code 50004: busy)', 'MemOS server error'],
    ['rate limited (code 40300: slow down)', 'rate limited'],
    ["malformed response (HTTP 200, 'data' is not an object)", 'malformed response']
  ])('of "%s" is "%s"', (reason, kind) => {
    expect(problemOf({ kind: 'transient', reason, throttled: false })).toBe(kind)
  })

  it('is the one the source names, when it names one', () => {
    expect(problemOf(refused as Extract<StatusOutcome, { kind: 'transient' }>)).toBe('connection refused')
  })
})

describe('an outage in the log', () => {
  it('warns once per kind, counts repeats, and ends with one line of duration and cost', () => {
    const log = recordingLog()
    feed(new OutageLog(log, false), [unavailable, unavailable, refused, unavailable, answer])
    expect(log.messages('warning')).toEqual([
      'HTTP 503, text/html, empty body; retrying in 1s. Repeats are counted, not annotated.',
      'connection refused (127.0.0.1:8000, ECONNREFUSED) — a server may still be starting; retrying in 1s. Repeats are counted, not annotated.'
    ])
    expect(log.messages('info')).toEqual([
      'HTTP 503, text/html, empty body; retrying in 1s (HTTP 503 ×2 in 1s).',
      'HTTP 503, text/html, empty body; retrying in 1s (HTTP 503 ×3 in 3s).',
      'MemOS answers again after 4s of problems: 4 failed attempts (HTTP 503 ×3, connection refused ×1).'
    ])
  })

  it('annotates a server that keeps flapping at most three times per kind', () => {
    const log = recordingLog()
    feed(new OutageLog(log, false), [unavailable, answer, unavailable, answer, unavailable, answer, unavailable, answer, unavailable])
    expect(log.messages('warning')).toHaveLength(3)
    expect(log.messages('info').filter((line) => line.startsWith('HTTP 503'))).toHaveLength(2)
  })

  it('in a batch, logs repeats at debug level and carries the count on the progress line', () => {
    const log = recordingLog()
    const outages = new OutageLog(log, true)
    feed(outages, [unavailable, unavailable, unavailable])
    expect(log.messages('warning')).toHaveLength(1)
    expect(log.messages('info')).toEqual([])
    expect(log.messages('debug')).toHaveLength(2)
    expect(outages.progressNote(3000)).toBe('; problems for 3s: HTTP 503 ×3')
  })

  it('knows the server was never reached only while no attempt got any answer', () => {
    const outages = new OutageLog(recordingLog(), false)
    feed(outages, [refused, refused])
    expect(outages.neverReached()).toBe('127.0.0.1:8000')
    outages.observe(unavailable, 3000)
    expect(outages.neverReached()).toBeUndefined()
  })
})
