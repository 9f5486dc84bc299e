/**
 * Signals to look now, beside the polling schedule: the self-hosted server's wait stream. A hint never
 * finishes a task; only a status answer does. The poller knows nothing of where hints come from.
 */

export interface HintListener {
  /** Some task may have finished: poll every unfinished task now. */
  hint(): void
  /** Whether hints can be relied on; while they can, the schedule polls far less. */
  health(healthy: boolean): void
}

export interface HintPlan {
  /** Time left before the deadline, in milliseconds. */
  timeLeftMs: number
  intervalMs: number
  maxIntervalMs: number
  /** How many of the step's tasks were last seen running; a first frame with fewer active tasks is a hint. */
  runningTasks(): number
}

export interface HintSource {
  start(listener: HintListener, plan: HintPlan): void
  /** Ends the source and every connection it holds; called on every path out of the wait. */
  close(): void
}
