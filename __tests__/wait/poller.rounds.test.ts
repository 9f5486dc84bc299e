/**
 * Hint rounds on simulated time (testing/scripted-wait.ts): a hint that `d` tasks finished asks the unfinished ones
 * in turn, at most `d` at a time, until `d` are seen finished; the others keep their schedule. Answers come 50 ms
 * after each request, with the status as it was when the request was sent; the hints are healthy from 10 ms.
 */
import { type Script, ScriptedHints, status } from '../../testing/scripted-api.js'
import { waitScripted } from '../../testing/scripted-wait.js'

/** Tasks done from the given times (milliseconds from the start), as a request sent then would see. */
const doneFrom =
  (doneAt: Record<string, number>): Script =>
  ({ taskId, sentAt }) =>
    status(sentAt >= (doneAt[taskId] ?? Number.POSITIVE_INFINITY) ? 'completed' : 'running')

async function waitWithHints(doneAt: Record<string, number>, hintsAt: Array<[number, number | 'all']>, timeoutMs: number) {
  let source: ScriptedHints | undefined
  const run = await waitScripted(
    doneFrom(doneAt),
    { taskIds: Object.keys(doneAt), timeoutMs },
    { hints: (clock) => (source = new ScriptedHints(clock, { healthyAt: 10, hintsAt })) }
  )
  const between = (from: number, to: number) =>
    run.sent
      .filter((request) => request.sentAt >= from && request.sentAt < to)
      .map(({ taskId, sentAt, urgent }) => ({ taskId, sentAt, urgent }))
  return { ...run, between, stillRunningAt: source?.stillRunningAt ?? [] }
}

describe('a hint round', () => {
  it('asks the tasks in turn, one at a time for a drop of one, and stops at the first it finds finished', async () => {
    // b finished at 1 s; the drop of one comes at 1.2 s. a is asked first (running), then b (completed); c is left alone.
    const { result, between } = await waitWithHints(
      { a: Number.POSITIVE_INFINITY, b: 1000, c: Number.POSITIVE_INFINITY },
      [[1200, 1]],
      5000
    )
    expect(between(1200, 2000)).toEqual([
      { taskId: 'a', sentAt: 1200, urgent: true },
      // b waits for a's answer, then for its turn at the step rate: 52.5 ms after a.
      { taskId: 'b', sentAt: 1252.5, urgent: true }
    ])
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['timed_out', 'success', 'timed_out'])
  })

  it('for a drop of two, has two polls out at once', async () => {
    const { between } = await waitWithHints({ a: 900, b: 1000, c: Number.POSITIVE_INFINITY }, [[1200, 2]], 5000)
    expect(between(1200, 2000).map(({ taskId, sentAt }) => [taskId, sentAt])).toEqual([
      ['a', 1200],
      ['b', 1252.5]
    ])
  })

  it('after idle, asks every unfinished task, and tells the source which are still running', async () => {
    const { between, stillRunningAt } = await waitWithHints({ a: 1000, b: Number.POSITIVE_INFINITY, c: 1000 }, [[1200, 'all']], 5000)
    expect(between(1200, 2000).map(({ taskId }) => taskId)).toEqual(['a', 'b', 'c'])
    // b's answer to a poll sent after the hint shows it still running (the clock starts at 7,000,000).
    expect(stillRunningAt[0]! - 7_000_000).toBe(1200 + 52.5 + 50)
  })

  it('keeps a task whose answer was out of date on its schedule when the round ends before its repoll: it is still polled to the deadline', async () => {
    // a's poll at 0 is out when the hint comes at 20 ms: its answer (running, at 50 ms) may be stale, so a is to be
    // asked again. b, due since the start, is asked first (52.5 ms) and found finished, which ends the round: a goes
    // back to the wait its answer gave it (the long one of a healthy stream), cut to the final poll.
    const { result, sentAt } = await waitWithHints({ a: Number.POSITIVE_INFINITY, b: 0 }, [[20, 1]], 60_000)
    expect(result.tasks.map((task) => task.conclusion)).toEqual(['timed_out', 'success'])
    expect(sentAt('a')).toEqual([0, 59_900])
    expect(result.durationMs).toBe(59_950)
    expect(result.tasks[0]?.error).toBe("Timed out after 1m waiting for task a (last status 'running').")
  })
})
