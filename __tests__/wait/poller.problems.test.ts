/**
 * The poller and the problems it retries, on simulated time (testing/scripted-wait.ts): what the log says of
 * them, the back-off between retries, throttling and the server's budget, a server never reached, and the
 * not-found grace. Request times are exact, so the spacing between retries can be measured. Longer than most
 * files here: each kind of problem is one short describe block, and they share the back-off they cause.
 */
import type { StatusOutcome } from '../../src/shared/outcome.js'
import { waitForTasks } from '../../src/wait/poller.js'
import { fastSettings, recordingLog } from '../../testing/harness.js'
import { notFound, refused, runningUntil, type Script, ScriptedApi, status, unavailable } from '../../testing/scripted-api.js'
import { ORIGIN, SCRIPTED_DEFAULTS, waitScripted } from '../../testing/scripted-wait.js'
import { seededRandom, VirtualClock } from '../../testing/virtual-clock.js'

const gapsBetween = (times: number[]): number[] => times.slice(1).map((at, index) => at - (times[index] ?? 0))

describe('transient problems', () => {
  it('are warned about once, then counted, each retry waiting twice as long, and the recovery is logged', async () => {
    const script: Script = ({ attempt }) => (attempt <= 3 ? unavailable : status('completed'))
    const { result, log, sentAt } = await waitScripted(script, { taskIds: ['t'] })
    expect(sentAt('t')).toEqual([0, 550, 1600, 3650])
    expect(log.messages('warning')).toEqual([
      'MemOS status request: HTTP 503 (Service Unavailable); retrying in 500ms. Repeats are counted, not annotated.'
    ])
    expect(log.messages('info')).toEqual([
      'MemOS status request: HTTP 503 (Service Unavailable); retrying in 1s (HTTP 503 ×2 in 550ms).',
      'MemOS status request: HTTP 503 (Service Unavailable); retrying in 2s (HTTP 503 ×3 in 1.6s).',
      'MemOS answers again after 3.6s of problems: 3 failed attempts (HTTP 503 ×3).',
      'completed (3.7s)'
    ])
    expect(log.messages('debug')[0]).toBe('attempt 1 took 50ms: transient problem: HTTP 503 (Service Unavailable)')
    expect(result.tasks[0]).toMatchObject({ conclusion: 'success', attempts: 4, error: '' })
  })

  it('name the task in a batch', async () => {
    const script: Script = ({ taskId, attempt }) => (taskId === 'b' && attempt === 1 ? unavailable : status('completed'))
    const { log } = await waitScripted(script, { taskIds: ['a', 'b'] })
    expect(log.messages('warning')).toEqual(['[b] HTTP 503 (Service Unavailable); retrying in 500ms. Repeats are counted, not annotated.'])
  })

  it('from an error the API client throws are retried like any other, quoting its message', async () => {
    const script: Script = ({ attempt }) =>
      attempt === 1 ? { throws: new Error('socket hang up') } : attempt === 2 ? { throws: 'a plain string' } : status('completed')
    const { result, log, sentAt } = await waitScripted(script, { taskIds: ['t'] })
    expect(result.tasks[0]?.conclusion).toBe('success')
    // Not taken for throttling: the retry waits interval, not the rate limiter's pause.
    expect(sentAt('t')).toEqual([0, 550, 1600])
    expect(log.messages('warning')).toEqual([
      'MemOS status request: socket hang up; retrying in 500ms. Repeats are counted, not annotated.',
      'MemOS status request: a plain string; retrying in 1s. Repeats are counted, not annotated.'
    ])
  })

  it('are cut to one line of at most 1000 characters', async () => {
    const long: StatusOutcome = { kind: 'transient', reason: `HTTP 502:\n${'y'.repeat(2000)}`, problem: 'HTTP 502', throttled: false }
    const { log } = await waitScripted(({ attempt }) => (attempt === 1 ? long : status('completed')), { taskIds: ['t'] })
    const [warning] = log.messages('warning')
    expect(warning).toBe(`MemOS status request: HTTP 502: ${'y'.repeat(989)}…; retrying in 500ms. Repeats are counted, not annotated.`)
  })

  it('say when no time is left to retry, and the timeout names the last problem and counts the failures', async () => {
    const { result, log, sentAt } = await waitScripted(() => unavailable, { taskIds: ['t'], timeoutMs: 2000 })
    // The final poll starts twice the slowest answer (50 ms) before the deadline: at 1.9 s.
    expect(sentAt('t')).toEqual([0, 550, 1600, 1900])
    expect(log.messages('info').at(-1)).toBe(
      'MemOS status request: HTTP 503 (Service Unavailable); no time left to retry (HTTP 503 ×4 in 1.9s).'
    )
    expect(result.tasks[0]).toMatchObject({
      conclusion: 'timed_out',
      status: '',
      attempts: 4,
      durationMs: 1950,
      error:
        'Timed out after 2s waiting for task t (no status reported yet; last attempt: HTTP 503 (Service Unavailable); 4 of 4 attempts failed: HTTP 503 ×4).'
    })
  })

  it('leave no "last attempt" in the timeout when the task answered since', async () => {
    const script: Script = ({ attempt }) => (attempt === 2 ? unavailable : status('running'))
    const { result } = await waitScripted(script, { taskIds: ['t'], timeoutMs: 3000 })
    expect(result.tasks[0]?.error).toBe(
      `Timed out after 3s waiting for task t (last status 'running'; 1 of ${result.tasks[0]?.attempts} attempts failed: HTTP 503 ×1).`
    )
  })
})

describe('the back-off between retries', () => {
  /** Each wait with its ±10 % jitter, drawn from a seeded source. */
  const jittered = (): { random: () => number } => ({ random: seededRandom(7) })

  it('start the back-off from interval again once the task answers', async () => {
    const script: Script = ({ attempt }) => (attempt === 3 ? status('running') : attempt <= 5 ? unavailable : status('completed'))
    const { sentAt } = await waitScripted(script, { taskIds: ['t'] })
    // Fail, fail (1 s), running (500 ms), fail (500 ms), fail (1 s).
    expect(sentAt('t')).toEqual([0, 550, 1600, 2150, 2700, 3750])
  })

  it('back off: each wait roughly doubles, from interval up to max_interval', async () => {
    // Down for the first two minutes, then the task is already complete.
    const script: Script = ({ sentAt }) => (sentAt < 120_000 ? unavailable : status('completed'))
    const { result, sentAt } = await waitScripted(script, { timeoutMs: 600_000 }, jittered())
    expect(result.tasks[0]?.conclusion).toBe('success')
    const gaps = gapsBetween(sentAt('task-1'))
    // 500 ms, 1 s, 2 s, 4 s, 8 s, 16 s (each ±10 % jitter), then max_interval.
    expect(gaps[0]).toBeLessThanOrEqual(600)
    for (let i = 1; i < 6; i++) expect((gaps[i] ?? 0) / (gaps[i - 1] ?? 1)).toBeGreaterThan(1.5)
    // Each gap also holds the 50 ms the answer took.
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000 + 50)
    // Nine requests cover two minutes of outage; without back-off it would take well over a hundred.
    expect(sentAt('task-1').length).toBeLessThanOrEqual(12)
  })

  it('start backing off from interval again after the server has answered in between', async () => {
    // Two outages, from 0 to 10 s and from 60 s to 90 s; the task runs in between and completes at 100 s.
    const down = (at: number): boolean => at < 10_000 || (at >= 60_000 && at < 90_000)
    const script: Script = ({ sentAt }) => (down(sentAt) ? unavailable : status(sentAt >= 100_000 ? 'completed' : 'running'))
    const { result, sentAt } = await waitScripted(script, { timeoutMs: 600_000 }, jittered())
    expect(result.tasks[0]?.conclusion).toBe('success')
    const times = sentAt('task-1')
    const firstFailureOfSecondOutage = times.findIndex((at) => at >= 60_000)
    // By the end of the first outage the back-off had grown to 8 s, and would be 16 s next. In the second
    // outage the first retry waits what an ordinary poll 60 s in waits (0.13 × 60 s, about 8 s).
    expect(gapsBetween(times.slice(0, 6)).at(-1)).toBeGreaterThan(7000)
    const retry = (times[firstFailureOfSecondOutage + 1] ?? 0) - (times[firstFailureOfSecondOutage] ?? 0)
    expect(retry).toBeGreaterThan(6000)
    expect(retry).toBeLessThan(11_000)
  })

  it('wait for the server Retry-After even when back-off alone would retry sooner', async () => {
    const busy: StatusOutcome = { kind: 'transient', reason: 'HTTP 503', problem: 'HTTP 503', retryAfterMs: 7000, throttled: false }
    const { sentAt } = await waitScripted(({ sentAt }) => (sentAt < 1000 ? busy : status('completed')), {}, jittered())
    expect(gapsBetween(sentAt('task-1'))[0]).toBeGreaterThanOrEqual(7000)
  })
})

describe('a server never reached', () => {
  it('is named in the timeout, with the attempts made', async () => {
    const { result } = await waitScripted(() => refused, { taskIds: ['t'], timeoutMs: 2000 })
    expect(result.tasks[0]?.error).toBe(
      'Timed out after 2s waiting for task t: never reached 127.0.0.1:9 in 4 attempts (connection refused ×4; last attempt: connection refused (ECONNREFUSED)).'
    )
  })

  it('says "1 attempt" for a single check', async () => {
    const { result } = await waitScripted(() => refused, { taskIds: ['t'], timeoutMs: 0 })
    expect(result.tasks[0]?.error).toBe(
      'Timed out after 0ms waiting for task t: never reached 127.0.0.1:9 in 1 attempt (connection refused ×1; last attempt: connection refused (ECONNREFUSED)).'
    )
  })

  it('is not blamed for a task the deadline left no time to ask', async () => {
    // One request a second: a at 0, b at 1.05 s, and c's turn (2.1 s) comes after the 1.5 s deadline.
    const { result, sent } = await waitScripted(() => refused, { taskIds: ['a', 'b', 'c'], timeoutMs: 1500, maxRequestsPerSecond: 1 })
    expect(sent.map((request) => [request.taskId, request.sentAt])).toEqual([
      ['a', 0],
      ['b', 1050]
    ])
    expect(result.tasks.map((task) => task.error)).toEqual([
      'Timed out after 1.5s waiting for task a: never reached 127.0.0.1:9 in 1 attempt (connection refused ×1; last attempt: connection refused (ECONNREFUSED)).',
      'Timed out after 1.5s waiting for task b: never reached 127.0.0.1:9 in 1 attempt (connection refused ×1; last attempt: connection refused (ECONNREFUSED)).',
      'Timed out after 1.5s waiting for task c (no status reported yet).'
    ])
  })
})

describe('throttling and the server budget', () => {
  it('a throttled answer for one task pauses every task for Retry-After', async () => {
    const throttled: StatusOutcome = { kind: 'transient', reason: 'HTTP 429', problem: 'HTTP 429', throttled: true, retryAfterMs: 3000 }
    const script: Script = ({ taskId, attempt }) => (taskId === 'a' && attempt === 1 ? throttled : status('running'))
    const { sent } = await waitScripted(script, { taskIds: ['a', 'b'], timeoutMs: 10_000 })
    // a's answer came at 50 ms, just before b's turn (52.5 ms): b waits too.
    expect(sent.slice(0, 2).map((request) => [request.taskId, request.sentAt])).toEqual([
      ['a', 0],
      ['b', 3050]
    ])
  })

  it('stops at once, and says why, when Retry-After reaches past the deadline', async () => {
    const throttled: StatusOutcome = { kind: 'transient', reason: 'HTTP 429', problem: 'HTTP 429', throttled: true, retryAfterMs: 60_000 }
    const { sentAt, result, log } = await waitScripted(({ attempt }) => (attempt === 1 ? throttled : status('completed')), {
      taskIds: ['t'],
      timeoutMs: 5000
    })
    expect(sentAt('t')).toEqual([0])
    // The answer came at 50 ms and asked for 60 s: the server allows the next request at 60.05 s.
    const error =
      "The server's rate limit allows no request before the timeout (next at 1m, timeout 5s); stopped after 50ms waiting for task t (no status reported yet; last attempt: HTTP 429; 1 of 1 attempts failed: HTTP 429 ×1)."
    expect(result).toMatchObject({ stopReason: 'rate_limited', durationMs: 50 })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'timed_out', durationMs: 50, error })
    expect(log.messages('info')).toContain(
      "The server's rate limit allows no request before the timeout (next at 1m, timeout 5s); stopping after 50ms."
    )
  })

  it('makes the final poll when the server allows it after the final-poll time but before the deadline', async () => {
    const throttled: StatusOutcome = { kind: 'transient', reason: 'HTTP 429', problem: 'HTTP 429', throttled: true, retryAfterMs: 4920 }
    const { sentAt, result } = await waitScripted(({ attempt }) => (attempt === 1 ? throttled : status('completed')), {
      taskIds: ['t'],
      timeoutMs: 5000
    })
    // The final-poll time is 4900 ms (100 ms lead after a 50 ms answer); the server allows the next at 4970 ms.
    expect(sentAt('t')).toEqual([0, 4970])
    expect(result.tasks[0]?.conclusion).toBe('success')
  })

  it('spreads the requests over what the server says is left of its budget', async () => {
    const answer: StatusOutcome = { ...status('running'), budget: { remaining: 0, resetInMs: 5000 } }
    const { sentAt } = await waitScripted(({ attempt }) => (attempt === 1 ? answer : status('completed')), { taskIds: ['t'] })
    expect(sentAt('t')).toEqual([0, 5050])
  })
})

describe('the not-found grace', () => {
  it('keeps asking until the grace ends, then concludes error naming the task, the reason and the advice', async () => {
    const { result, log, sentAt } = await waitScripted(() => notFound, { taskIds: ['t'], notFoundGraceMs: 500 })
    // The last wait is cut short so that one request is sent as the grace ends.
    expect(sentAt('t')).toEqual([0, 500])
    const error = "Task t was not found (code 50131: Task not found) for 550ms. Check that 'task_id' is right."
    expect(result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 2, durationMs: 550, error })
    expect(log.messages('info')).toEqual([`error: ${error}`])
    expect(log.messages('debug')).toEqual([
      'attempt 1 took 50ms: not found: code 50131: Task not found',
      'not found yet (code 50131: Task not found); keeps trying until 500ms',
      'attempt 2 took 50ms: not found: code 50131: Task not found'
    ])
  })

  it('ends with the answer that arrives just as the grace ends', async () => {
    const { result, sentAt } = await waitScripted(() => notFound, { taskIds: ['t'], notFoundGraceMs: 500 }, { latencyMs: 0 })
    expect(sentAt('t')).toEqual([0, 500])
    expect(result.tasks[0]?.error).toBe("Task t was not found (code 50131: Task not found) for 500ms. Check that 'task_id' is right.")
  })

  it('follows the task once it becomes visible', async () => {
    const script: Script = ({ attempt }) => (attempt <= 2 ? notFound : status(attempt === 3 ? 'running' : 'completed'))
    const { result } = await waitScripted(script, { taskIds: ['t'], notFoundGraceMs: 2000 })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'success', attempts: 4, error: '' })
  })

  it('starts again when a task that was seen is not found again', async () => {
    const script: Script = ({ attempt }) => (attempt === 2 ? status('running') : notFound)
    const { result, sentAt } = await waitScripted(script, { taskIds: ['t'], notFoundGraceMs: 1000 })
    // Not found at 0, running at 550, not found from 1100: the grace runs from 1100 to 2100.
    expect(sentAt('t')).toEqual([0, 550, 1100, 1650, 2100])
    expect(result.tasks[0]?.error).toBe("Task t was not found (code 50131: Task not found) for 1.1s. Check that 'task_id' is right.")
  })

  it('names the last not-found answer in a timeout that cuts the grace short, beside the failures', async () => {
    const script: Script = ({ attempt }) => (attempt === 1 ? unavailable : notFound)
    const { result } = await waitScripted(script, { taskIds: ['t'], timeoutMs: 2000, notFoundGraceMs: 60_000 })
    expect(result.tasks[0]?.error).toBe(
      `Timed out after 2s waiting for task t (no status reported yet; last attempt: not found (code 50131: Task not found); 1 of ${result.tasks[0]?.attempts} attempts failed: HTTP 503 ×1).`
    )
  })
})

describe('a bug while handling an answer', () => {
  it("ends the wait and rejects with it, so the step's error path still writes every output", async () => {
    const clock = new VirtualClock(ORIGIN)
    const api = new ScriptedApi(clock, runningUntil({ a: 1000 }))
    const bug = new Error('a log line that throws')
    const log = recordingLog()
    const throwing = {
      ...log,
      info: (message: string) => {
        if (message.includes('completed')) throw bug
        log.info(message)
      }
    }
    const settings = fastSettings({ ...SCRIPTED_DEFAULTS, taskIds: ['a', 'b'] })
    const wait = waitForTasks(settings, { client: api, clock, log: throwing, signal: new AbortController().signal })
    await expect(clock.run(wait)).rejects.toBe(bug)
    // Task b never finishes: the wait stopped at the bug instead of running on to its timeout.
    expect(clock.now() - ORIGIN).toBeLessThan(5000)
  })
})
