/**
 * The poller and a batch of tasks, on simulated time (testing/scripted-wait.ts): input order, the progress
 * line, the rate cap over a thousand tasks, and what stops the others: a rejected key always, a task that
 * failed or errored with fail_fast.
 */
import type { StatusOutcome } from '../../src/shared/outcome.js'
import { runningUntil, type Script, status, unavailable } from '../../testing/scripted-api.js'
import { waitScripted } from '../../testing/scripted-wait.js'
import { seededRandom } from '../../testing/virtual-clock.js'

/** Each task reports its final status from its time on (milliseconds from the start), `running` before. */
function finishing(finishes: Record<string, [number, string]>): Script {
  return ({ taskId, sentAt }) => {
    const [when, final] = finishes[taskId] ?? [Number.POSITIVE_INFINITY, 'completed']
    return status(sentAt >= when ? final : 'running')
  }
}

/** Waits with ±10 % jitter drawn from a seeded source. */
const jittered = (): { random: () => number } => ({ random: seededRandom(7) })

describe('a batch', () => {
  it('asks the tasks in input order, names each task in its log lines and keeps input order in the result', async () => {
    const { result, log, sent } = await waitScripted(runningUntil({ c1: 0, c2: 0, c3: 0 }), { taskIds: ['c1', 'c2', 'c3'] })
    expect(sent.map((request) => request.taskId)).toEqual(['c1', 'c2', 'c3'])
    expect(result.tasks.map((task) => [task.taskId, task.conclusion, task.attempts])).toEqual([
      ['c1', 'success', 1],
      ['c2', 'success', 1],
      ['c3', 'success', 1]
    ])
    // Starts are spaced by the rate limit: 1050 ms / 20.
    expect(log.messages('info')).toEqual(['[c1] completed (50ms)', '[c2] completed (103ms)', '[c3] completed (155ms)'])
    expect(log.messages('debug')[0]).toBe("[c1] attempt 1 took 50ms: status 'completed'")
    expect(result.attempts).toBe(3)
  })

  it('spreads a batch of 1,000 tasks under the rate cap and polls each finished task no more', async () => {
    const completesAt: Record<string, number> = {}
    const random = seededRandom(5)
    const ids = Array.from({ length: 1000 }, (_, index) => `b${index}`)
    for (const id of ids) completesAt[id] = random() * 60_000
    const { result, sent } = await waitScripted(
      runningUntil(completesAt),
      { taskIds: ids, timeoutMs: 600_000, requestTimeoutMs: 30_000 },
      { latencyMs: 50, random }
    )
    expect(result.tasks.every((task) => task.conclusion === 'success')).toBe(true)
    const times = sent.map((request) => request.sentAt).sort((a, b) => a - b)
    for (let i = 20; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 20] ?? 0)).toBeGreaterThanOrEqual(1000)
    // A request that reaches the server at or after a task's completion sees `completed`: there is exactly one such request per task.
    for (const id of ids) {
      expect(sent.filter((request) => request.taskId === id && request.arrivesAt >= (completesAt[id] ?? 0))).toHaveLength(1)
    }
  })
})

describe('the progress line of a batch', () => {
  it('logs a progress line every 5 seconds, with the problems of an ongoing outage; one task logs none', async () => {
    // a completes at once; b and c run, and from 4 s on the server is down.
    const script: Script = ({ taskId, sentAt }) => (taskId === 'a' ? status('completed') : sentAt >= 4000 ? unavailable : status('running'))
    const { log } = await waitScripted(script, { taskIds: ['a', 'b', 'c'], timeoutMs: 12_000 })
    const progress = log.messages('info').filter((line) => /^\d\/3 done/.test(line))
    // Each line comes with the first request due 5 s or more after the last line.
    expect(progress).toEqual([
      '1/3 done, 0 failed, 5.1s; problems for 587ms: HTTP 503 ×2',
      '1/3 done, 0 failed, 11.9s; problems for 7.4s: HTTP 503 ×8'
    ])
    const single = await waitScripted(runningUntil({}), { taskIds: ['t'], timeoutMs: 12_000 })
    expect(single.log.messages('info').filter((line) => line.includes('done'))).toEqual([])
  })

  it('logs the progress line as soon as 5 seconds have passed', async () => {
    // Answered at once and polled every second (interval 1 s): a is asked at exactly 5 s.
    const { log, sentAt } = await waitScripted(
      runningUntil({}),
      { taskIds: ['a', 'b'], intervalMs: 1000, timeoutMs: 7000 },
      { latencyMs: 0 }
    )
    expect(sentAt('a')).toContain(5000)
    expect(log.messages('info').filter((line) => line.includes('done'))).toEqual(['0/2 done, 0 failed, 5s'])
  })

  it('counts the tasks done and failed so far, every 5 seconds', async () => {
    const script = finishing({ a: [2_000, 'completed'], b: [7_000, 'failed'], c: [16_000, 'completed'] })
    const { log } = await waitScripted(script, { taskIds: ['a', 'b', 'c'], failFast: false }, jittered())
    const progress = log.messages('info').filter((line) => /^\d+\/3 done/.test(line))
    expect(progress.map((line) => line.split(',').slice(0, 2).join(','))).toEqual([
      '1/3 done, 0 failed',
      '2/3 done, 1 failed',
      '2/3 done, 1 failed'
    ])
  })
})

describe('problems that end a wait', () => {
  const rejectedKey: StatusOutcome = {
    kind: 'fatal',
    scope: 'run',
    reason: "MemOS rejected the API key (HTTP 401). Check the 'api_key' input."
  }
  const rejectedTask: StatusOutcome = { kind: 'fatal', scope: 'task', reason: 'MemOS rejected the task id (code 40000).' }

  it.each([false, true])(
    'a rejected key stops every task (fail_fast: %p), and the others say why they were not waited for',
    async (failFast) => {
      const script: Script = ({ taskId }) => (taskId === 'a' ? rejectedKey : status('running'))
      const { result, log, sent, openAtEnd } = await waitScripted(script, { taskIds: ['a', 'b'], failFast }, { latencyMs: 100 })
      expect(sent.map((request) => request.taskId)).toEqual(['a', 'b'])
      expect(result.stopReason).toBe('fatal')
      // b's request was still out when a's answer came: it is abandoned, not waited for.
      expect(result.durationMs).toBe(100)
      expect(openAtEnd).toBe(0)
      expect(result.tasks.map((task) => [task.conclusion, task.error])).toEqual([
        ['error', rejectedKey.reason],
        ['pending', `Not waited for: ${rejectedKey.reason} (no status reported yet).`]
      ])
      expect(log.messages('info')).toEqual([`[a] error: ${rejectedKey.reason}`])
      expect(log.messages('debug')).toEqual([`[a] attempt 1 took 100ms: fatal: ${rejectedKey.reason}`])
    }
  )

  it('a rejected task id ends that task only, without fail_fast', async () => {
    const script: Script = ({ taskId, attempt }) => (taskId === 'bad' ? rejectedTask : status(attempt < 3 ? 'running' : 'completed'))
    const { result } = await waitScripted(script, { taskIds: ['bad', 'good'], failFast: false })
    expect(result.stopReason).toBeUndefined()
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['error', 'success'])
  })

  it('logs why a task errored, naming it, and keeps waiting for the others without fail_fast', async () => {
    const script: Script = ({ taskId, sentAt }) => (taskId === 'bad' ? rejectedTask : status(sentAt >= 3_000 ? 'completed' : 'running'))
    const { result, log } = await waitScripted(script, { taskIds: ['good', 'bad'], failFast: false }, jittered())
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'error'])
    expect(log.messages('info')).toContain('[bad] error: MemOS rejected the task id (code 40000).')
  })
})

describe('fail_fast in a batch', () => {
  const rejectedTask: StatusOutcome = { kind: 'fatal', scope: 'task', reason: 'MemOS rejected the task id (code 40000).' }

  it.each([
    ['errored', rejectedTask, 'error'],
    ['failed', status('failed'), 'failure']
  ])('with fail_fast, a task that %s stops the others, which say so', async (verb, answer, conclusion) => {
    const script: Script = ({ taskId, attempt }) => (taskId === 'bad' && attempt === 2 ? answer : status('running'))
    const { result, log } = await waitScripted(script, { taskIds: ['good', 'bad'], failFast: true })
    expect(result.stopReason).toBe('fail_fast')
    expect(result.tasks.map((task) => [task.conclusion, task.error])).toEqual([
      ['pending', `Not waited for: fail_fast stopped the wait after task bad ${verb} (last status 'running').`],
      [conclusion, expect.any(String)]
    ])
    expect(result.tasks[1]?.durationMs).toBe(result.durationMs)
    expect(log.messages('warning')).toEqual([])
  })

  it('stops the others when a task fails while they still run', async () => {
    const failsFirst: Script = ({ taskId, sentAt }) => status(taskId === 'middle' && sentAt >= 8_000 ? 'failed' : 'running')
    const { result } = await waitScripted(failsFirst, { taskIds: ['early', 'middle', 'last'], failFast: true }, jittered())
    expect(result.stopReason).toBe('fail_fast')
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['pending', 'failure', 'pending'])
  })

  it('has nothing to stop when the task that fails is the last one to finish: the wait ends normally', async () => {
    const script = finishing({ early: [2_000, 'completed'], middle: [8_000, 'completed'], last: [20_000, 'failed'] })
    const { result, log } = await waitScripted(script, { taskIds: ['early', 'middle', 'last'], failFast: true }, jittered())
    expect(result.stopReason).toBeUndefined()
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'success', 'failure'])
    expect(log.messages('info').join('\n')).not.toContain('fail_fast')
  })

  it('without fail_fast, a failed task leaves the others running to the end', async () => {
    const script: Script = ({ taskId, attempt }) => status(taskId === 'bad' ? 'failed' : attempt < 4 ? 'running' : 'completed')
    const { result } = await waitScripted(script, { taskIds: ['good', 'bad'], failFast: false })
    expect(result.stopReason).toBeUndefined()
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'failure'])
  })
})
