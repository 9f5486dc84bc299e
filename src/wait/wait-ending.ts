/**
 * How the wait ends for the tasks it leaves unfinished: why it stopped early (cancelled, fail_fast, a problem
 * for every task, the server's rate limit), and what that makes of each such task's conclusion and reason.
 */
import type { StopCause, StopReason, TaskConclusion, TaskReason } from './results.js'
import type { TaskState } from './task-state.js'

export class WaitEnding {
  private stopReason: StopReason
  private cause: StopCause | undefined
  /** When the server's rate limit stopped the wait: when it would have let the next request through. */
  private rateLimitedUntil: number | undefined

  get reason(): StopReason {
    return this.stopReason
  }

  /** A stop for every task but the one that caused it; the first stop holds (a later one changes nothing). */
  stop(reason: 'fail_fast' | 'fatal', cause: StopCause): void {
    if (this.stopReason) return
    this.stopReason = reason
    this.cause = cause
  }

  /** The run was cancelled: that is what the unfinished tasks say, whatever stopped the wait before. */
  cancel(): void {
    this.stopReason = 'cancelled'
  }

  /** The server's rate limit lets nothing through before the deadline; `allowsAt` is when it would. */
  rateLimited(allowsAt: number): void {
    this.stopReason = 'rate_limited'
    this.rateLimitedUntil = allowsAt
  }

  /** An unfinished task's conclusion and reason, at `now`; times are from `start`. */
  unfinished(
    task: TaskState,
    { start, now, timeoutMs, unreached }: { start: number; now: number; timeoutMs: number; unreached: string | undefined }
  ): { conclusion: TaskConclusion; reason: TaskReason } {
    const lastStatus = task.status
    if (this.stopReason === 'cancelled') return { conclusion: 'cancelled', reason: { kind: 'cancelled', lastStatus } }
    if (this.cause) return { conclusion: 'pending', reason: { kind: 'not_waited', lastStatus, cause: this.cause } }
    const until = this.rateLimitedUntil
    return {
      conclusion: 'timed_out',
      reason: {
        kind: 'timed_out',
        lastStatus,
        timeoutMs,
        attempts: task.attempts,
        lastProblem: task.lastProblem,
        problems: [...task.problems],
        unreached,
        rateLimited: until === undefined ? undefined : { nextAtMs: until - start, stoppedAtMs: now - start }
      }
    }
  }
}
