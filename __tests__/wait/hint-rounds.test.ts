/**
 * The hint rounds on their own, against a queue of tasks the test moves by hand: which polls a round lets out,
 * when it ends, and where the tasks it had made due go back to. The poller's own tests (poller.rounds, poller.hints)
 * show the same rules through whole waits.
 */
import { DEFAULT_SHAPE } from '../../src/wait/schedule.js'
import { HintRounds } from '../../src/wait/hint-rounds.js'
import { TaskState } from '../../src/wait/task-state.js'

/** Each task is due on its schedule at 10 s; the test takes tasks out to poll them and puts them back. */
const SCHEDULED_AT = 10_000

function roundsOf(...taskIds: string[]) {
  const tasks = new Map(taskIds.map((taskId, index) => [taskId, new TaskState(index, taskId)]))
  const queued = new Set<TaskState>()
  for (const task of tasks.values()) {
    task.dueAt = SCHEDULED_AT
    queued.add(task)
  }
  const rounds = new HintRounds(
    {
      reschedule(dueAt) {
        for (const task of queued) task.dueAt = dueAt(task)
      }
    },
    { intervalMs: 100, maxIntervalMs: 1000 },
    () => 0.5,
    DEFAULT_SHAPE
  )
  const task = (taskId: string): TaskState => tasks.get(taskId) as TaskState
  return {
    rounds,
    task,
    mayStart: (taskId: string): boolean => rounds.mayStart(task(taskId)),
    /** The task's poll starts: it leaves the queue; returns whether the round asked for it. */
    start(taskId: string): boolean {
      queued.delete(task(taskId))
      return rounds.dispatched(task(taskId))
    },
    /** The task's answer showed it still running: it is queued again on its schedule. */
    requeue(taskId: string, dueAt = SCHEDULED_AT): void {
      task(taskId).dueAt = dueAt
      queued.add(task(taskId))
    },
    dueAt: (taskId: string): number => task(taskId).dueAt
  }
}

describe('a hint round', () => {
  it('makes every queued task due at once, and lets out as many polls at a time as tasks it expects finished', () => {
    const { rounds, mayStart, start, dueAt } = roundsOf('a', 'b', 'c')
    rounds.hint(1, 500)
    expect(['a', 'b', 'c'].map(dueAt)).toEqual([500, 500, 500])
    expect(start('a')).toBe(true)
    // One poll out for a drop of one: b waits for a's answer.
    expect(mayStart('b')).toBe(false)
    rounds.answered()
    expect(mayStart('b')).toBe(true)
  })

  it('for a drop of two, lets two polls out, and one more as each answer comes', () => {
    const { rounds, mayStart, start } = roundsOf('a', 'b', 'c', 'd')
    rounds.hint(2, 500)
    start('a')
    expect(mayStart('b')).toBe(true)
    start('b')
    expect(mayStart('c')).toBe(false)
    rounds.answered()
    expect(mayStart('c')).toBe(true)
    start('c')
    expect(mayStart('d')).toBe(false)
  })

  it('adds a second drop to the round still going: one more poll may go out', () => {
    const { rounds, mayStart, start } = roundsOf('a', 'b', 'c')
    rounds.hint(1, 500)
    start('a')
    expect(mayStart('b')).toBe(false)
    rounds.hint(1, 600)
    expect(mayStart('b')).toBe(true)
  })

  it('starts afresh when every task of the last round was polled without it seeing them finish', () => {
    const { rounds, mayStart, start, requeue } = roundsOf('a', 'b')
    rounds.hint(2, 500)
    start('a')
    start('b')
    rounds.answered()
    rounds.answered()
    requeue('a')
    requeue('b')
    // The last round expected two finished and saw none; this drop of one lets one poll out, not three.
    rounds.hint(1, 900)
    start('a')
    expect(mayStart('b')).toBe(false)
  })

  it('keeps the schedule of a task made due by two hints in a row, for when the round ends', () => {
    const { rounds, dueAt, task } = roundsOf('a', 'b')
    rounds.hint(1, 500)
    rounds.hint(1, 600)
    expect(dueAt('a')).toBe(500)
    rounds.finished()
    rounds.finished()
    expect(['a', 'b'].map(dueAt)).toEqual([SCHEDULED_AT, SCHEDULED_AT])
    expect(task('a').hintedFrom).toBeUndefined()
  })

  it('ends once as many tasks as the hint said are seen finished: the tasks it had not reached go back to their schedule', () => {
    const { rounds, mayStart, start, dueAt } = roundsOf('a', 'b', 'c', 'd')
    rounds.hint(1, 500)
    start('a')
    rounds.finished()
    expect(['b', 'c', 'd'].map(dueAt)).toEqual([SCHEDULED_AT, SCHEDULED_AT, SCHEDULED_AT])
    // Outside a round, nothing holds a poll back, and a poll is no longer the round's.
    expect(mayStart('b')).toBe(true)
    // The answer to a's poll comes after the round ended; it leaves no poll counted, so that the next round of one
    // lets exactly one poll out.
    rounds.answered()
    rounds.hint(1, 900)
    expect(start('b')).toBe(true)
    expect(mayStart('c')).toBe(false)
  })

  it('does not hold back a task that is not part of the round while the round has its polls out', () => {
    const { rounds, mayStart, start, requeue } = roundsOf('a', 'b')
    // b's poll is out when the hint comes; a is asked.
    start('b')
    rounds.hint(1, 500)
    expect(start('a')).toBe(true)
    // b's answer, to a request sent before the hint, is not stale here: it goes back on its schedule, not the round's.
    requeue('b', 700)
    expect(mayStart('b')).toBe(true)
    expect(start('b')).toBe(false)
  })
})

describe('an answer that may be out of date', () => {
  it.each([
    ['before any hint', undefined, 0, { stale: false, answersHint: false }],
    ['sent just before the hint', 500, 499, { stale: true, answersHint: false }],
    ['sent at the hint', 500, 500, { stale: false, answersHint: true }]
  ])('is told apart from one that answers the hint: %s', (_name, hintAt, sentAt, expected) => {
    const { rounds } = roundsOf('a')
    if (hintAt !== undefined) rounds.hint(1, hintAt)
    expect({ stale: rounds.stale(sentAt), answersHint: rounds.answersHint(sentAt) }).toEqual(expected)
  })

  it('has its task polled again at once, as part of the round, and back to its schedule when the round ends first', () => {
    const { rounds, mayStart, start, requeue, dueAt, task } = roundsOf('a', 'b')
    start('b')
    rounds.hint(1, 500)
    start('a')
    // b's answer was stale: queued again at once, the round's, counted as waiting.
    requeue('b', 600)
    rounds.repoll(task('b'), SCHEDULED_AT)
    expect(mayStart('b')).toBe(false)
    rounds.finished()
    expect(dueAt('b')).toBe(SCHEDULED_AT)
  })

  it('polled again outside any round, is not held back, and keeps its poll when another task finishes', () => {
    const { rounds, mayStart, task, requeue, dueAt } = roundsOf('a', 'b')
    requeue('a', 0)
    rounds.repoll(task('a'), SCHEDULED_AT)
    expect(mayStart('a')).toBe(true)
    rounds.finished()
    expect(dueAt('a')).toBe(0)
    expect(mayStart('a')).toBe(true)
  })

  it('counts a repolled task as waiting, so that the round only starts afresh once it is polled too', () => {
    const { rounds, mayStart, start, requeue, task } = roundsOf('a', 'b')
    start('b')
    rounds.hint(1, 500)
    start('a')
    requeue('b', 600)
    rounds.repoll(task('b'), SCHEDULED_AT)
    rounds.answered()
    start('b')
    rounds.answered()
    requeue('a')
    requeue('b')
    // Both polled, neither seen finished: the next drop of one lets one poll out.
    rounds.hint(1, 900)
    start('a')
    expect(mayStart('b')).toBe(false)
  })
})
