/**
 * The poller's deadline and cancellation, on simulated time (testing/scripted-wait.ts): the final poll, the
 * time each request is given, a single check with timeout 0, and a run cancelled while it sleeps or while a
 * request is out.
 */
import { getEventListeners } from 'node:events'
import { runningUntil } from '../../testing/scripted-api.js'
import { waitScripted } from '../../testing/scripted-wait.js'
import { seededRandom } from '../../testing/virtual-clock.js'

describe('the deadline', () => {
  it('checks once with timeout 0 and reports the status it saw', async () => {
    const { result, sent } = await waitScripted(runningUntil({}), { taskIds: ['t'], timeoutMs: 0, requestTimeoutMs: 4000 })
    expect(sent).toMatchObject([{ taskId: 't', sentAt: 0, timeoutMs: 4000 }])
    expect(result.tasks[0]).toMatchObject({
      conclusion: 'timed_out',
      status: 'running',
      attempts: 1,
      error: "Timed out after 0ms waiting for task t (last status 'running')."
    })
  })

  it('gives each request request_timeout, cut to the time left before the deadline', async () => {
    const { sent, result } = await waitScripted(runningUntil({}), { taskIds: ['t'], timeoutMs: 3000, requestTimeoutMs: 2000 })
    expect(sent[0]?.timeoutMs).toBe(2000)
    // The final poll starts 100 ms before the deadline.
    expect(sent.at(-1)).toMatchObject({ taskId: 't', sentAt: 2900, timeoutMs: 100 })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'timed_out', durationMs: 2950 })
  })

  it('sends no poll that the rate limit pushes past the final-poll time', async () => {
    // One request a second for two tasks answered in 600 ms: the final poll is at 8.8 s.
    const { sent } = await waitScripted(
      runningUntil({}),
      { taskIds: ['a', 'b'], timeoutMs: 10_000, maxRequestsPerSecond: 1 },
      { latencyMs: 600 }
    )
    expect(Math.max(...sent.map((request) => request.sentAt))).toBeLessThanOrEqual(8800)
  })

  it('lands the final poll just before a one-hour deadline and ends at it', async () => {
    const { result, sent } = await waitScripted(
      runningUntil({}),
      { taskIds: ['t'], timeoutMs: 3_600_000, requestTimeoutMs: 30_000 },
      { latencyMs: 100, random: seededRandom(4) }
    )
    expect(result.tasks[0]?.conclusion).toBe('timed_out')
    // The final poll leads the deadline by twice the slowest answer (100 ms here).
    expect(sent.at(-1)?.sentAt).toBe(3_600_000 - 200)
    expect(result.durationMs).toBe(3_600_000 - 100)
  })
})

describe('cancellation', () => {
  it('ends the wait at once while it sleeps, and says what each task last reported', async () => {
    const { result, sentAt } = await waitScripted(runningUntil({}), { taskIds: ['t'] }, { abortAt: 800 })
    expect(sentAt('t')).toEqual([0, 550])
    expect(result).toMatchObject({ stopReason: 'cancelled', durationMs: 800, attempts: 2 })
    expect(result.tasks[0]).toMatchObject({
      conclusion: 'cancelled',
      durationMs: 800,
      error: "Cancelled while waiting for task t (last status 'running')."
    })
  })

  it('abandons a request in flight without calling it a problem', async () => {
    const { result, log, openAtEnd } = await waitScripted(runningUntil({}), { taskIds: ['t'] }, { abortAt: 300, latencyMs: 5000 })
    expect(result.durationMs).toBe(300)
    expect(openAtEnd).toBe(0)
    expect(result.tasks[0]?.error).toBe('Cancelled while waiting for task t (no status reported yet).')
    expect(log.messages('warning')).toEqual([])
  })

  it('does not call a request that fails because it was aborted a problem, whatever error it fails with', async () => {
    const { result, log } = await waitScripted(
      runningUntil({}),
      { taskIds: ['t'] },
      { abortAt: 300, latencyMs: 5000, abortError: () => new Error('socket hang up') }
    )
    expect(result.tasks[0]?.conclusion).toBe('cancelled')
    expect(log.messages('warning')).toEqual([])
    expect(log.messages('info')).toEqual([])
  })

  it('returns only once every request it started has ended, even one that takes a while to wind down', async () => {
    const { result, openAtEnd } = await waitScripted(
      runningUntil({}),
      { taskIds: ['t'] },
      { abortAt: 300, latencyMs: 5000, abortTakesMs: 40 }
    )
    expect(openAtEnd).toBe(0)
    expect(result.durationMs).toBe(340)
  })

  it("leaves nothing listening on the run's cancel signal once the wait is over", async () => {
    const { signal } = await waitScripted(runningUntil({ t: 600 }), { taskIds: ['t'] })
    expect(getEventListeners(signal, 'abort')).toEqual([])
  })

  it('sends nothing when the run was cancelled before the wait began', async () => {
    const { result, sent } = await waitScripted(runningUntil({}), { taskIds: ['t'] }, { abortAt: -1 })
    expect(sent).toEqual([])
    expect(result.tasks[0]).toMatchObject({ conclusion: 'cancelled', attempts: 0, durationMs: 0 })
  })
})

describe('an interval longer than the timeout (readSettings warns about it)', () => {
  it('checks a running task when the wait starts and once more just before the deadline, not in between', async () => {
    const { result, sentAt } = await waitScripted(
      runningUntil({}),
      { intervalMs: 60_000, maxIntervalMs: 60_000, timeoutMs: 30_000, taskIds: ['t'] },
      { latencyMs: 100 }
    )
    expect(result.tasks[0]?.conclusion).toBe('timed_out')
    // The final poll leads the deadline by twice the slowest answer.
    expect(sentAt('t')).toEqual([0, 30_000 - 200])
  })
})
