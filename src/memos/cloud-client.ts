import type { ResponseParts } from '../http/transport.js'
import type { GatedTransport } from './gated-transport.js'
import {
  describeApiError,
  describeBody,
  foreignAnswer,
  isFastApiError,
  isJsonObject,
  MALFORMED,
  messageOf,
  parseJsonObject,
  refusalDetail,
  retryableAnswer,
  SERVER_ERROR,
  withBudget,
  parseRetryAfter
} from './response-parts.js'
import type { StatusSource } from '../wait/ports.js'
import type { RequestOptions, StatusOutcome } from '../shared/outcome.js'

/** The MemOS Cloud status API (`POST {base_url}/get/status` with a `Token` key). */

const AUTH_CODES = new Set([40100, 40130, 40132])
const PARAMETER_CODES = new Set([40000, 40001, 40002, 40003, 40006])
const QUOTA_CODES = new Set([40301, 40302, 40303, 40304, 40305])
const RATE_LIMIT_CODE = 40300
const NOT_FOUND_CODES = new Set([50131, 404])
const SUCCESS_CODES = new Set([0, 200])

const AUTH_HINT = "Check the 'api_key' input: it must be a MemOS API key (API Console > API Keys) of the project that created the task."
export const CLOUD_NOT_FOUND_HINT = "Check that 'task_id' is right and that 'api_key' belongs to the project that created the task."

/** Classifies one HTTP response of POST /get/status. Pure, so every case is a table row in the tests. */
export function classifyCloudResponse(parts: ResponseParts): StatusOutcome {
  return withBudget(classify(parts), parts)
}

function classify(parts: ResponseParts): StatusOutcome {
  const { httpStatus, headers, body, nowMs } = parts
  const parsed = parseJsonObject(body)
  const apiMessage = parsed ? describeApiError(parsed) : ''

  // Before the wrong-server check: a gateway's HTML page for 401/403 is a credentials problem, not a wrong base_url.
  if (httpStatus === 401 || httpStatus === 403) {
    const what = refusalDetail(parts, parsed, apiMessage)
    return { kind: 'fatal', scope: 'run', reason: `MemOS rejected the API key (HTTP ${httpStatus}${what}). ${AUTH_HINT}` }
  }
  const foreign = foreignAnswer(parts, parsed)
  if (foreign) return { kind: 'fatal', scope: 'run', reason: wrongServerReason(foreign, parsed) }
  const retryable = retryableAnswer(parts, apiMessage)
  if (retryable) return retryable
  if (parsed === undefined) {
    return {
      kind: 'transient',
      reason: `HTTP ${httpStatus}${describeBody(headers, body)}`,
      problem: `HTTP ${httpStatus}`,
      throttled: false
    }
  }
  if (httpStatus === 404) return { kind: 'not_found', reason: `HTTP 404${apiMessage}`, hint: CLOUD_NOT_FOUND_HINT }

  const code = typeof parsed.code === 'number' ? parsed.code : Number.NaN
  // Stryker disable next-line EqualityOperator: a 3xx never gets here (foreignAnswer), so `<= 300` acts the same
  if (SUCCESS_CODES.has(code) && httpStatus < 300) return readStatus(parsed, httpStatus)
  if (NOT_FOUND_CODES.has(code)) return { kind: 'not_found', reason: `code ${code}${messageOf(parsed)}`, hint: CLOUD_NOT_FOUND_HINT }
  if (AUTH_CODES.has(code)) {
    return { kind: 'fatal', scope: 'run', reason: `MemOS rejected the API key (code ${code}${messageOf(parsed)}). ${AUTH_HINT}` }
  }
  if (code === RATE_LIMIT_CODE) {
    return {
      kind: 'transient',
      reason: `rate limited (code ${code}${messageOf(parsed)})`,
      problem: 'rate limited',
      retryAfterMs: parseRetryAfter(headers['retry-after'], nowMs),
      throttled: true
    }
  }
  if (QUOTA_CODES.has(code)) {
    return { kind: 'fatal', scope: 'run', reason: `MemOS quota exceeded (code ${code}${messageOf(parsed)}).` }
  }
  if (PARAMETER_CODES.has(code)) {
    return { kind: 'fatal', scope: 'task', reason: `MemOS refused the request (code ${code}${messageOf(parsed)}).` }
  }
  // The documented 50000, 50002, 50004 and 50005, and any other server-side code.
  if (code >= 50000 && code < 60000) {
    return { kind: 'transient', reason: `MemOS server error (code ${code}${messageOf(parsed)})`, problem: SERVER_ERROR, throttled: false }
  }
  if (Number.isNaN(code)) {
    return { kind: 'transient', reason: `malformed response (HTTP ${httpStatus}, no numeric 'code')`, problem: MALFORMED, throttled: false }
  }
  return { kind: 'fatal', scope: 'task', reason: `MemOS returned an error (HTTP ${httpStatus}, code ${code}${messageOf(parsed)}).` }
}

function wrongServerReason(foreign: string, parsed: Record<string, unknown> | undefined): string {
  const hint = isFastApiError(parsed)
    ? "That is how the open-source MemOS server answers: for a self-hosted server, set 'api: self-hosted' and 'base_url' to its /product URL."
    : "Check 'base_url': the MemOS Cloud API is https://memos.memtensor.cn/api/openmem/v1 (global: https://api.memt.ai/platform/api/openmem/v1)."
  return `'base_url' did not answer like the MemOS Cloud API ('api: cloud'): POST /get/status got ${foreign}. ${hint}`
}

/** `data` is an object, or the legacy one-element list; its `status` is required. */
function readStatus(parsed: Record<string, unknown>, httpStatus: number): StatusOutcome {
  const raw = Array.isArray(parsed.data) ? (parsed.data.length === 1 ? parsed.data[0] : undefined) : parsed.data
  if (!isJsonObject(raw)) {
    return {
      kind: 'transient',
      reason: `malformed response (HTTP ${httpStatus}, 'data' is not an object)`,
      problem: MALFORMED,
      throttled: false
    }
  }
  if (typeof raw.status !== 'string' || raw.status.trim() === '') {
    return {
      kind: 'transient',
      reason: `malformed response (HTTP ${httpStatus}, 'data.status' is missing)`,
      problem: MALFORMED,
      throttled: false
    }
  }
  return { kind: 'status', status: raw.status.trim(), data: raw }
}

export interface ApiClientOptions {
  baseUrl: string
  /** '' when no key is to be sent (self-hosted only). */
  apiKey: string
  transport: GatedTransport
}

export class CloudClient implements StatusSource {
  private readonly url: URL
  private readonly headers: Record<string, string>

  constructor(private readonly options: ApiClientOptions) {
    this.url = new URL(`${options.baseUrl}/get/status`)
    this.headers = { Authorization: `Token ${options.apiKey}`, 'Content-Type': 'application/json', Accept: 'application/json' }
  }

  async getStatus(taskId: string, options: RequestOptions): Promise<StatusOutcome> {
    return this.options.transport.send(
      { method: 'POST', url: this.url, headers: this.headers, body: JSON.stringify({ task_id: taskId }) },
      options,
      classifyCloudResponse
    )
  }
}
