/** The validated settings every layer reads, and the defaults action.yml declares. Types and constants only. */

/** Which API `base_url` speaks. */
export type ApiMode = 'cloud' | 'self-hosted'

/** Where `base_url` came from: the input, the MEMOS_BASE_URL environment variable, or the mode's default. */
export type BaseUrlSource = 'input' | 'environment' | 'default'

/** Everything the action needs, validated. Durations are in milliseconds, statuses are lower case. */
export interface Settings {
  /** Unique ids in input order. */
  taskIds: string[]
  /** Which API `base_url` speaks. */
  api: ApiMode
  /** The MemOS user the tasks were added for (self-hosted only; '' with the cloud). */
  userId: string
  /** '' when none is sent (self-hosted without a key). */
  apiKey: string
  /** Without a trailing slash. */
  baseUrl: string
  /** So that a message about the server blames what the user set, or says that the default was used. */
  baseUrlSource: BaseUrlSource
  /** 0 means: check each task once. */
  timeoutMs: number
  intervalMs: number
  maxIntervalMs: number
  requestTimeoutMs: number
  notFoundGraceMs: number
  successStatuses: ReadonlySet<string>
  failureStatuses: ReadonlySet<string>
  failOnFailure: boolean
  failOnTimeout: boolean
  maxRequestsPerSecond: number
  failFast: boolean
  /** Self-hosted: also listen to the server's wait stream, to see tasks finish the moment they do. */
  stream: boolean
}

/**
 * The defaults, as action.yml declares them. `api_key` and `base_url` have none there, so that the
 * MEMOS_API_KEY / MEMOS_BASE_URL environment variables can stand in for them.
 */
export const INPUT_DEFAULTS = {
  api: 'cloud',
  timeout: '10m',
  interval: '500ms',
  max_interval: '30s',
  request_timeout: '30s',
  not_found_grace: '10s',
  success_statuses: 'completed',
  failure_statuses: 'failed,fail,error,cancelled,canceled',
  fail_on_failure: 'true',
  fail_on_timeout: 'true',
  max_requests_per_second: '20',
  fail_fast: 'true',
  stream: 'true'
} as const

// The HTTP layer's messages name them too, so they live in the shared leaf.
export { DEFAULT_BASE_URL, GLOBAL_BASE_URL, SELF_HOSTED_BASE_URL } from '../shared/base-urls.js'

/** Reads one input by its action.yml name; returns '' when it is not set. */
export type InputReader = (name: string) => string
