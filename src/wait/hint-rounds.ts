/**
 * What the poller does with hints (the wait stream): a hint that `d` of the user's tasks just finished starts a
 * round, in which every waiting task is due at once and its poll is urgent; at most `d` of the round's polls are
 * out at a time, and once `d` tasks are seen finished the round ends, and the tasks it had not reached go back to
 * their schedule. A drop of one in a batch of six thus costs a poll or a few, not six, at the price of a round
 * trip per task asked in turn. While hints are reliable, running tasks wait far longer between polls.
 */
import { hintedPollDelay, pollDelay, type ScheduleSettings, type ScheduleShape } from './schedule.js'
import type { TaskState } from './task-state.js'

/** The queue of tasks waiting for their next poll, as the rounds change it. */
export interface PollQueue {
  /** Every queued task gets a new due time (and is queued again in that order). */
  reschedule(dueAt: (task: TaskState) => number): void
}

export class HintRounds {
  /** While the hints can be relied on, running tasks are polled far less often. */
  private healthy = false
  /** When the last hint came: an answer to a request sent before it may already be out of date. */
  private lastHintAt = Number.NEGATIVE_INFINITY
  /** Tasks still to be seen finished before the current round ends; 0 outside a round. */
  private left = 0
  /** Queued tasks the current round has made due, not polled yet; and the round's polls still out. */
  private waiting = 0
  private probing = 0

  constructor(
    private readonly queue: PollQueue,
    private readonly settings: ScheduleSettings,
    private readonly random: () => number,
    private readonly shape: ScheduleShape
  ) {}

  /** A hint at `now`: every queued task is due now, urgently, until `finished` of them are seen finished. */
  hint(finished: number | 'all', now: number): void {
    this.lastHintAt = now
    // A round whose tasks have all been polled is over, whatever it still expected.
    if (this.waiting === 0) this.left = 0
    this.left += finished === 'all' ? Number.POSITIVE_INFINITY : finished
    this.queue.reschedule((task) => {
      if (task.hintedFrom === undefined) {
        task.hintedFrom = task.dueAt
        this.waiting++
      }
      return Math.min(task.dueAt, now)
    })
  }

  /** Whether the task's poll may start now: a round has no more polls out than tasks it expects to find finished. */
  mayStart(task: TaskState): boolean {
    // Outside a round (an answer that was out of date asked for a poll at once) nothing holds a poll back.
    return task.hintedFrom === undefined || this.left === 0 || this.probing < this.left
  }

  /** A task's poll starts: whether a round asked for it (then it is urgent, and counted until answered). */
  dispatched(task: TaskState): boolean {
    if (task.hintedFrom === undefined) return false
    task.hintedFrom = undefined
    this.waiting--
    this.probing++
    return true
  }

  /** The answer to a round's poll came (whatever it said). */
  answered(): void {
    this.probing = Math.max(0, this.probing - 1)
  }

  /** Without hints to rely on, stretched waits shrink back to the schedule's. */
  health(healthy: boolean, now: number, elapsedMs: number): void {
    this.healthy = healthy
    if (healthy) return
    const delay = pollDelay(elapsedMs, this.settings, this.random, this.shape)
    this.queue.reschedule((task) => Math.min(task.dueAt, now + delay))
  }

  /** A task was seen finished; the round ends once as many as the hint said have been. */
  finished(): void {
    if (this.left === 0) return
    this.left--
    if (this.left > 0) return
    this.waiting = 0
    this.probing = 0
    this.queue.reschedule((task) => {
      const dueAt = task.hintedFrom ?? task.dueAt
      task.hintedFrom = undefined
      return dueAt
    })
  }

  /** Whether an answer came to a request sent after the last hint: it shows the state the hint spoke of. */
  answersHint(startedAt: number): boolean {
    return startedAt >= this.lastHintAt && this.lastHintAt !== Number.NEGATIVE_INFINITY
  }

  /** The wait after a running status: long while hints are reliable, else the schedule's. */
  runningDelay(elapsedMs: number): number {
    if (this.healthy) return hintedPollDelay(this.settings, this.random, this.shape)
    return pollDelay(elapsedMs, this.settings, this.random, this.shape)
  }

  /** Whether an answer may be out of date: its request was sent before the last hint. */
  stale(startedAt: number): boolean {
    return startedAt < this.lastHintAt
  }

  /**
   * A task whose answer was out of date is polled again at once, as part of the hint's round; should the round end
   * first, it goes back to `scheduledAt`, the time its answer would have given it.
   */
  repoll(task: TaskState, scheduledAt: number): void {
    task.hintedFrom = scheduledAt
    this.waiting++
  }
}
