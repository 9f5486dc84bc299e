/**
 * What one request to a server came to, as every layer speaks of it: the HTTP layer makes these of network
 * failures, the API clients of answers, and the engine acts on them (its ports are in src/wait/ports.ts).
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
      /** The kind of problem, the same for every repeat ('HTTP 503', 'connection refused'): what an outage counts. */
      problem: string
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

/** What a request without an answer from the API comes to: anything but a status. */
export type FailureOutcome = Exclude<StatusOutcome, { kind: 'status' }>

export interface RequestOptions {
  timeoutMs: number
  signal: AbortSignal
  /** A hint asked for this request (a task just finished): the request gate lets it skip the budget's spreading. */
  urgent?: boolean
}

/** Thrown only when the caller's signal aborted the request (cancellation); every other failure is an outcome. */
export class RequestAbortedError extends Error {
  constructor() {
    super('request aborted')
    this.name = 'RequestAbortedError'
  }
}
