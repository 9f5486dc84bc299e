/**
 * What the poller needs from an API: one status request for one task, classified. Each API (MemOS Cloud,
 * the open-source server) is a client behind this interface, so the poller never looks at HTTP details.
 */

/** The server's own account of how many requests are left before its window resets (`X-RateLimit-*`). */
export interface RateBudget {
  remaining: number
  /** Milliseconds from the answer until the window resets. */
  resetInMs: number
}

/**
 * What one status request told us. Every response and every network failure maps to exactly one of these.
 * `budget` is set when the answer carried rate-limit headers, whatever its kind.
 */
export type StatusOutcome = (
  | /** The API answered with a status (raw, as the server spelled it) and its `data` object. */
    { kind: 'status'; status: string; data: Record<string, unknown> }
    /** Worth retrying. `throttled` marks rate limiting, which slows every task of the run. */
  | {
      kind: 'transient'
      reason: string
      retryAfterMs?: number
      throttled: boolean
      /** The kind of problem, the same for every repeat ('HTTP 503', 'connection refused'); the reason's start when absent. */
      problem?: string
      /** Advice worth saying once, with the first report of this kind of problem. */
      hint?: string
      /** The server (host:port) when no answer came from it at all: refused, reset, or silent. */
      unreached?: string
    }
  /**
   * The task is unknown: wrong id, another project's or user's task, or not visible yet. `hint` says what
   * to check once the not-found grace is over.
   */
  | { kind: 'not_found'; reason: string; hint: string }
  /** Retrying will not help. `run` problems (the key, the quota, the wrong server) stop every task. */
  | { kind: 'fatal'; reason: string; scope: 'task' | 'run' }
) & { budget?: RateBudget }

export interface RequestOptions {
  timeoutMs: number
  signal: AbortSignal
  /** A hint asked for this request (a task just finished): the request gate lets it skip the budget's spreading. */
  urgent?: boolean
}

export interface StatusSource {
  getStatus(taskId: string, options: RequestOptions): Promise<StatusOutcome>
}

/** Thrown only when the caller's signal aborted the request (cancellation); every other failure is an outcome. */
export class RequestAbortedError extends Error {
  constructor() {
    super('request aborted')
    this.name = 'RequestAbortedError'
  }
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
