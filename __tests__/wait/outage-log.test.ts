import { CLOUD_NOT_FOUND_HINT } from '../../src/memos/cloud-client.js'
import { OutageLog } from '../../src/wait/outage-log.js'
import type { StatusOutcome } from '../../src/shared/outcome.js'
import { recordingLog } from '../../testing/harness.js'

const answer: StatusOutcome = { kind: 'status', status: 'running', data: {} }
const unavailable: StatusOutcome = { kind: 'transient', reason: 'HTTP 503, text/html, empty body', problem: 'HTTP 503', throttled: false }
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

  it('ends an outage of one failed attempt in the singular', () => {
    const log = recordingLog()
    feed(new OutageLog(log, false), [unavailable, answer])
    expect(log.messages('info')).toEqual(['MemOS answers again after 1s of problems: 1 failed attempt (HTTP 503 ×1).'])
  })

  it('ends an outage on a task not found too, but not on another problem', () => {
    const log = recordingLog()
    const outages = new OutageLog(log, false)
    feed(outages, [unavailable, refused, { kind: 'not_found', reason: 'HTTP 404', hint: CLOUD_NOT_FOUND_HINT }])
    expect(log.messages('info')).toEqual([
      'MemOS answers again after 2s of problems: 2 failed attempts (HTTP 503 ×1, connection refused ×1).'
    ])
    expect(outages.progressNote(5000)).toBe('')
  })

  it('logs the fourth outage of a kind as a plain line, without annotating it', () => {
    const log = recordingLog()
    feed(new OutageLog(log, false), [unavailable, answer, unavailable, answer, unavailable, answer, unavailable])
    expect(log.messages('warning')).toEqual(
      Array.from({ length: 3 }, () => 'HTTP 503, text/html, empty body; retrying in 1s. Repeats are counted, not annotated.')
    )
    expect(log.messages('info').at(-1)).toBe('HTTP 503, text/html, empty body; retrying in 1s.')
  })

  it('names the task and counts repeats with the time since the outage began, at debug level in a batch', () => {
    const log = recordingLog()
    const outages = new OutageLog(log, true)
    outages.observe(unavailable, 1000)
    outages.problem('task-1: ', unavailable as Extract<StatusOutcome, { kind: 'transient' }>, 'retrying in 2s', 1000)
    outages.observe(unavailable, 3500)
    outages.problem('task-2: ', unavailable as Extract<StatusOutcome, { kind: 'transient' }>, 'retrying in 4s', 3500)
    expect(log.messages('warning')).toEqual([
      'task-1: HTTP 503, text/html, empty body; retrying in 2s. Repeats are counted, not annotated.'
    ])
    expect(log.messages('debug')).toEqual(['task-2: HTTP 503, text/html, empty body; retrying in 4s (HTTP 503 ×2 in 2.5s).'])
    expect(outages.progressNote(6000)).toBe('; problems for 5s: HTTP 503 ×2')
  })

  it('has no progress note before any problem', () => {
    expect(new OutageLog(recordingLog(), false).progressNote(1000)).toBe('')
  })

  it('knows nothing of an unreached server when no attempt was made, or when every failure had an answer', () => {
    expect(new OutageLog(recordingLog(), false).neverReached()).toBeUndefined()
    const outages = new OutageLog(recordingLog(), false)
    feed(outages, [unavailable, unavailable])
    expect(outages.neverReached()).toBeUndefined()
  })
})
