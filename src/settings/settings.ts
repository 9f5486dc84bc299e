/** The validated settings every layer reads, and the defaults action.yml declares. Types and constants only. */

/** Which API `base_url` speaks. */
export type ApiMode = 'cloud' | 'self-hosted'

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

export const DEFAULT_BASE_URL = 'https://memos.memtensor.cn/api/openmem/v1'
export const GLOBAL_BASE_URL = 'https://api.memt.ai/platform/api/openmem/v1'
/** The open-source server's API root in its docker compose quick start. */
export const SELF_HOSTED_BASE_URL = 'http://localhost:8000/product'

/** Reads one input by its action.yml name; returns '' when it is not set. */
export type InputReader = (name: string) => string
