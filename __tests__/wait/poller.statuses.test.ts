/**
 * The poller and the statuses a task reports, on simulated time (testing/scripted-wait.ts): what each status
 * means, what the log and the timeline say of it, and how often a running task is asked, over waits of seconds
 * to half an hour.
 */
import { runningUntil, type Script, status } from '../../testing/scripted-api.js'
import { waitScripted } from '../../testing/scripted-wait.js'
import { seededRandom } from '../../testing/virtual-clock.js'

describe('one task', () => {
  it('reports each new status once, in the log and the timeline, and concludes success', async () => {
    const { result, log, sent } = await waitScripted(runningUntil({ t: 1000 }), { taskIds: ['t'] }, { latencyMs: 100 })
    expect(sent.map((request) => request.sentAt)).toEqual([0, 600, 1200])
    expect(result).toEqual({
      tasks: [
        {
          taskId: 't',
          status: 'completed',
          conclusion: 'success',
          attempts: 3,
          durationMs: 1300,
          data: { status: 'completed' },
          error: '',
          timeline: [
            { status: 'running', atMs: 100 },
            { status: 'completed', atMs: 1300 }
          ]
        }
      ],
      stopReason: undefined,
      attempts: 3,
      durationMs: 1300
    })
    expect(log.messages('info')).toEqual(['running (100ms)', 'completed (1.3s)'])
    expect(log.messages('warning')).toEqual([])
    expect(log.messages('debug')).toEqual([
      "attempt 1 took 100ms: status 'running'",
      "attempt 2 took 100ms: status 'running'",
      "attempt 3 took 100ms: status 'completed'"
    ])
  })

  it('concludes failure on a failure status, quoting it as MemOS spelled it', async () => {
    const { result, log } = await waitScripted(({ attempt }) => status(attempt === 1 ? 'running' : 'FAILED'), { taskIds: ['t'] })
    expect(result.tasks[0]).toMatchObject({ status: 'FAILED', conclusion: 'failure', error: "Task t ended with status 'FAILED'." })
    expect(log.messages('info')).toEqual(['running (50ms)', 'FAILED (600ms)'])
  })

  it.each(['running', 'waiting', 'pending', 'queued', 'in_progress', 'processing', 'Processing'])(
    "waits through '%s' without a warning",
    async (running) => {
      const { result, log } = await waitScripted(({ attempt }) => status(attempt < 3 ? running : 'completed'), { taskIds: ['t'] })
      expect(result.tasks[0]?.conclusion).toBe('success')
      expect(log.messages('warning')).toEqual([])
    }
  )

  it('puts a status with line breaks on one line, and cuts a very long one to 200 characters', async () => {
    const long = 'x'.repeat(300)
    const script: Script = ({ attempt }) => status(attempt === 1 ? 'still\r\nrunning' : attempt === 2 ? long : 'completed')
    const { result, log } = await waitScripted(script, { taskIds: ['t'] })
    expect(result.tasks[0]?.timeline.map((change) => change.status)).toEqual(['still running', `${'x'.repeat(199)}…`, 'completed'])
    expect(log.messages('warning')[0]).toContain("unknown status 'still running' (task t)")
  })
})

describe('unknown statuses', () => {
  it('warns once about an unknown status, however it is spelled, and keeps waiting', async () => {
    const script: Script = ({ attempt }) => status(['Refining', 'REFINING', 'refining'][attempt - 1] ?? 'completed')
    const { result, log } = await waitScripted(script, { taskIds: ['t'] })
    expect(result.tasks[0]?.timeline.map((change) => change.status)).toEqual(['Refining', 'REFINING', 'refining', 'completed'])
    expect(log.messages('warning')).toEqual([
      "MemOS reported an unknown status 'Refining' (task t); still waiting. If it is final, add it to 'success_statuses' or 'failure_statuses'."
    ])
  })

  it('warns once about an unknown status that several tasks report', async () => {
    const script: Script = ({ attempt }) => status(attempt === 1 ? 'indexing' : 'completed')
    const { log } = await waitScripted(script, { taskIds: ['a', 'b'] })
    expect(log.messages('warning')).toEqual([
      "MemOS reported an unknown status 'indexing' (task a); still waiting. If it is final, add it to 'success_statuses' or 'failure_statuses'."
    ])
  })
})

describe('how often a running task is asked', () => {
  /** The action's defaults, with an hour to wait. */
  const HOUR = { taskIds: ['t'], timeoutMs: 3_600_000, requestTimeoutMs: 30_000 }

  it.each([
    [10_000, 25],
    [120_000, 40],
    [600_000, 60],
    [1_800_000, 108]
  ])(
    'sees a %p ms task within one wait (at most 20 %% of its duration, and max_interval) and sends at most %p requests',
    async (durationMs, maxRequests) => {
      for (const seed of [1, 2, 3]) {
        const { result, sent } = await waitScripted(runningUntil({ t: durationMs }), HOUR, { latencyMs: 100, random: seededRandom(seed) })
        const seenAt = result.tasks[0]?.timeline.at(-1)?.atMs ?? Number.NaN
        expect(result.tasks[0]?.conclusion).toBe('success')
        expect(seenAt - durationMs).toBeLessThanOrEqual(Math.min(durationMs * 0.2, 30_000) + 200)
        expect(sent.length).toBeLessThanOrEqual(maxRequests)
      }
    }
  )

  it('never waits longer than max_interval between polls, and never less than interval', async () => {
    const { sentAt } = await waitScripted(runningUntil({ t: 3_000_000 }), HOUR, { latencyMs: 0, random: seededRandom(9) })
    const times = sentAt('t')
    const gaps = times.slice(1).map((at, index) => at - (times[index] ?? 0))
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000)
  })
})
