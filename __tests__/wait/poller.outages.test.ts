/**
 * Retries during an outage, fail_fast at the end of a batch and the batch progress line, on simulated time
 * (bench/virtual-clock.ts): request times are exact, so the spacing between retries can be measured.
 */
import { seededRandom, VirtualClock } from '../../testing/virtual-clock.js'
import { type PollSettings, waitForTasks } from '../../src/wait/poller.js'
import type { StatusOutcome, StatusSource } from '../../src/wait/ports.js'
import { fastSettings, recordingLog } from '../../testing/harness.js'

/** What the API answers for a task at a moment of simulated time. */
type Script = (taskId: string, atMs: number) => StatusOutcome

const status = (value: string): StatusOutcome => ({ kind: 'status', status: value, data: { status: value } })

/** Records when each request was sent, and answers it 50 ms later as the script says. */
function scriptedApi(clock: VirtualClock, script: Script): StatusSource & { sent: Array<[string, number]> } {
  const sent: Array<[string, number]> = []
  return {
    sent,
    getStatus(taskId): Promise<StatusOutcome> {
      const at = clock.now()
      sent.push([taskId, at])
      return new Promise((resolve) => clock.setTimer(50, () => resolve(script(taskId, at))))
    }
  }
}

async function waitScripted(script: Script, settings: Partial<PollSettings>) {
  const clock = new VirtualClock()
  const api = scriptedApi(clock, script)
  const log = recordingLog()
  const result = await clock.run(
    waitForTasks(fastSettings({ intervalMs: 500, maxIntervalMs: 30_000, maxRequestsPerSecond: 20, ...settings }), {
      client: api,
      clock,
      random: seededRandom(7),
      log,
      signal: new AbortController().signal
    })
  )
  return { result, log, sentAt: (taskId: string) => api.sent.filter(([id]) => id === taskId).map(([, at]) => at) }
}

describe('fail_fast in a batch', () => {
  const finishesAt: Record<string, [number, string]> = {
    early: [2_000, 'completed'],
    middle: [8_000, 'completed'],
    last: [20_000, 'failed']
  }
  const script: Script = (id, at) => {
    const [when, final] = finishesAt[id] ?? [Number.POSITIVE_INFINITY, 'completed']
    return status(at >= when ? final : 'running')
  }

  it('has nothing to stop when the task that fails is the last one to finish: the wait ends normally', async () => {
    const { result, log } = await waitScripted(script, { taskIds: ['early', 'middle', 'last'], failFast: true, timeoutMs: 60_000 })
    expect(result.stopReason).toBeUndefined()
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'success', 'failure'])
    expect(log.messages('info').join('\n')).not.toContain('fail_fast')
  })

  it('stops the others when a task fails while they still run', async () => {
    const failsFirst: Script = (id, at) => status(id === 'middle' && at >= 8_000 ? 'failed' : 'running')
    const { result } = await waitScripted(failsFirst, { taskIds: ['early', 'middle', 'last'], failFast: true, timeoutMs: 60_000 })
    expect(result.stopReason).toBe('fail_fast')
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['pending', 'failure', 'pending'])
  })
  it('logs why a task errored, naming it, and keeps waiting for the others without fail_fast', async () => {
    const rejected: StatusOutcome = { kind: 'fatal', scope: 'task', reason: 'MemOS rejected the task id (code 40000).' }
    const script: Script = (id, at) => (id === 'bad' ? rejected : status(at >= 3_000 ? 'completed' : 'running'))
    const { result, log } = await waitScripted(script, { taskIds: ['good', 'bad'], failFast: false, timeoutMs: 60_000 })
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['success', 'error'])
    expect(log.messages('info')).toContain('[bad] error: MemOS rejected the task id (code 40000).')
  })
})

describe('the progress line of a batch', () => {
  it('counts the tasks done and failed so far, every 5 seconds', async () => {
    const finishes: Record<string, [number, string]> = { a: [2_000, 'completed'], b: [7_000, 'failed'], c: [16_000, 'completed'] }
    const script: Script = (id, at) => {
      const [when, final] = finishes[id] ?? [Number.POSITIVE_INFINITY, 'completed']
      return status(at >= when ? final : 'running')
    }
    const { log } = await waitScripted(script, { taskIds: ['a', 'b', 'c'], failFast: false, timeoutMs: 60_000 })
    const progress = log.messages('info').filter((line) => /^\d+\/3 done/.test(line))
    expect(progress.map((line) => line.split(',').slice(0, 2).join(','))).toEqual([
      '1/3 done, 0 failed',
      '2/3 done, 1 failed',
      '2/3 done, 1 failed'
    ])
  })
})
