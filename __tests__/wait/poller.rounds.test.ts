/**
 * Hint rounds on simulated time: a hint that `d` tasks finished asks the unfinished ones in turn, at most `d` at a
 * time, until `d` are seen finished; the others keep their schedule. Answers come 50 ms after each request; the
 * random source draws the middle, so every time is exact.
 */
import type { HintListener, HintPlan, HintSource, StatusOutcome, StatusSource } from '../../src/wait/ports.js'
import { waitForTasks } from '../../src/wait/poller.js'
import { fastSettings, recordingLog } from '../../testing/harness.js'
import { VirtualClock } from '../../testing/virtual-clock.js'

interface Sent {
  taskId: string
  at: number
  urgent: boolean
}

/** Tasks done from the given times; the hint source says `hints` at their times, healthy from 10 ms. */
async function waitWithHints(doneAt: Record<string, number>, hints: Array<[number, number | 'all']>, timeoutMs = 60_000) {
  const clock = new VirtualClock()
  const sent: Sent[] = []
  const stillRunning: number[] = []
  const client: StatusSource = {
    getStatus(taskId, { urgent }) {
      const at = clock.now()
      sent.push({ taskId, at, urgent: urgent === true })
      return new Promise<StatusOutcome>((resolve) =>
        clock.setTimer(50, () => {
          const status = at >= (doneAt[taskId] ?? Number.POSITIVE_INFINITY) ? 'completed' : 'running'
          resolve({ kind: 'status', status, data: { status } })
        })
      )
    }
  }
  const source: HintSource = {
    start(listener: HintListener, _plan: HintPlan) {
      clock.setTimer(10, () => listener.health(true))
      for (const [at, finished] of hints) clock.setTimer(at, () => listener.hint(finished))
    },
    stillRunning: () => stillRunning.push(clock.now()),
    close() {}
  }
  const taskIds = Object.keys(doneAt)
  const settings = fastSettings({ taskIds, intervalMs: 500, maxIntervalMs: 30_000, timeoutMs, maxRequestsPerSecond: 20 })
  const log = recordingLog()
  const result = await clock.run(
    waitForTasks(settings, { client, clock, random: () => 0.5, log, signal: new AbortController().signal, hints: source })
  )
  const of = (taskId: string): number[] => sent.filter((request) => request.taskId === taskId).map((request) => request.at)
  return { result, sent, of, stillRunning }
}

describe('a hint round', () => {
  it('asks the tasks in turn, one at a time for a drop of one, and stops at the first it finds finished', async () => {
    // b finished at 1 s; the drop of one comes at 1.2 s. a is asked first (running), then b (completed); c is left alone.
    const { result, sent } = await waitWithHints({ a: Number.POSITIVE_INFINITY, b: 1000, c: Number.POSITIVE_INFINITY }, [[1200, 1]], 5000)
    const round = sent.filter((request) => request.at >= 1200 && request.at < 2000)
    expect(round).toEqual([
      { taskId: 'a', at: 1200, urgent: true },
      // b waits for its turn at the step rate: 52.5 ms after a.
      { taskId: 'b', at: 1252.5, urgent: true }
    ])
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['timed_out', 'success', 'timed_out'])
  })

  it('for a drop of two, has two polls out at once', async () => {
    const { sent } = await waitWithHints({ a: 900, b: 1000, c: Number.POSITIVE_INFINITY }, [[1200, 2]], 5000)
    expect(sent.filter((request) => request.at >= 1200 && request.at < 2000).map((request) => [request.taskId, request.at])).toEqual([
      ['a', 1200],
      ['b', 1252.5]
    ])
  })

  it('after idle, asks every unfinished task, and tells the source which are still running', async () => {
    const { sent, stillRunning } = await waitWithHints({ a: 1000, b: Number.POSITIVE_INFINITY, c: 1000 }, [[1200, 'all']], 5000)
    expect(sent.filter((request) => request.at >= 1200 && request.at < 2000).map((request) => request.taskId)).toEqual(['a', 'b', 'c'])
    // b's answer to a poll sent after the hint shows it still running.
    expect(stillRunning[0]).toBe(1200 + 52.5 + 50)
  })

  it('keeps a task whose answer was out of date on its schedule when the round ends before its repoll: it is still polled to the deadline', async () => {
    // a's poll at 0 is out when the hint comes at 20 ms: its answer (running, at 50 ms) may be stale, so a is to be
    // asked again. b, due since the start, is asked first (52.5 ms) and found finished, which ends the round: a goes
    // back to the wait its answer gave it (the long one of a healthy stream), cut to the final poll.
    const { result, of } = await waitWithHints({ a: Number.POSITIVE_INFINITY, b: 0 }, [[20, 1]], 60_000)
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['timed_out', 'success'])
    expect(of('a')).toEqual([0, 59_900])
    expect(result.durationMs).toBe(59_950)
    expect(result.tasks[0]?.error).toBe("Timed out after 1m waiting for task a (last status 'running').")
  })
})
