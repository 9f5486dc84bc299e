/**
 * What the poller needs from an API: one status request for one task, classified. Each API (MemOS Cloud,
 * the open-source server) is a client behind this interface, so the poller never looks at HTTP details.
 */

import type { RequestOptions, StatusOutcome } from '../shared/outcome.js'

export interface StatusSource {
  getStatus(taskId: string, options: RequestOptions): Promise<StatusOutcome>
}

/**
 * Signals to look now, beside the polling schedule: the self-hosted server's wait stream. A hint never
 * finishes a task; only a status answer does. The poller knows nothing of where hints come from.
 */

export interface HintListener {
  /**
   * Some tasks may have finished: poll the unfinished ones now, until `finished` of them are seen finished
   * (the rest keep their schedule); `all` when the source says none of the user's tasks is active any more.
   */
  hint(finished: number | 'all'): void
  /** Whether hints can be relied on; while they can, the schedule polls far less. */
  health(healthy: boolean): void
}

export interface HintPlan {
  /** Time left before the deadline, in milliseconds. */
  timeLeftMs: number
  intervalMs: number
  maxIntervalMs: number
  /** How long a running task waits between polls while hints are reliable: the longest a source need wait. */
  hintedWaitMs: number
  /** How many of the step's tasks were last seen running; a first frame with fewer active tasks is a hint. */
  runningTasks(): number
}

export interface HintSource {
  start(listener: HintListener, plan: HintPlan): void
  /**
   * An answer to a poll sent after the last hint showed a task still running. A source that ended after saying
   * every task was done (the wait stream's `idle`) waits for this before it opens again.
   */
  stillRunning(): void
  /** Ends the source and every connection it holds; called on every path out of the wait. */
  close(): void
}
