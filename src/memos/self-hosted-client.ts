import type { ResponseParts } from '../http/transport.js'
import type { ApiClientOptions } from './cloud-client.js'
import {
  bearerAuthorization,
  describeApiError,
  describeBody,
  foreignAnswer,
  hasMemosEnvelope,
  isFastApiError,
  isJsonObject,
  MALFORMED,
  messageOf,
  parseJsonObject,
  refusalDetail,
  retryableAnswer,
  SERVER_ERROR,
  withBudget
} from './response-parts.js'
import type { StatusSource } from '../wait/ports.js'
import type { RequestOptions, StatusOutcome } from '../shared/outcome.js'

/**
 * The open-source MemOS server (`GET {base_url}/scheduler/status?user_id=…&task_id=…`): no key by default,
 * `{"code":200,"data":[{task_id, status}]}`, statuses waiting / in_progress / completed / failed / cancelled,
 * and HTTP 404 with `code` 404 for a task it does not know (docs/memos-api.md).
 */

export interface SelfHostedClientOptions extends ApiClientOptions {
  userId: string
}

/** What makes a right id read as not found: the scheduler records status only on Redis. */
export function selfHostedNotFoundHint(userId: string): string {
  return (
    `Check that 'task_id' is the id given to /add and that 'user_id' ('${userId}') is the user it was added for. ` +
    'A right id also reads as not found when the server does not track tasks: its scheduler records status only ' +
    'with Redis (MEMSCHEDULER_USE_REDIS_QUEUE=true), which the docker example leaves off.'
  )
}

/** Classifies one answer of GET /scheduler/status. Pure, so every case is a table row in the tests. */
export function classifySelfHostedResponse(parts: ResponseParts, userId: string, withKey: boolean): StatusOutcome {
  return withBudget(classify(parts, userId, withKey), parts)
}

function classify(parts: ResponseParts, userId: string, withKey: boolean): StatusOutcome {
  const { httpStatus, headers, body } = parts
  const parsed = parseJsonObject(body)
  const apiMessage = parsed ? describeApiError(parsed) : ''

  if (hasMemosEnvelope(parsed) && parsed.code >= 10000) {
    // Five-digit business codes are MemOS Cloud's; the open-source server uses HTTP-like codes.
    return { kind: 'fatal', scope: 'run', reason: wrongServerReason(`HTTP ${httpStatus}, code ${parsed.code}${messageOf(parsed)}`, parsed) }
  }
  // Before the wrong-server check: a gateway's HTML page for 401/403 is a credentials problem, not a wrong base_url.
  if (httpStatus === 401 || httpStatus === 403) {
    const hint = withKey
      ? "It refused the key in 'api_key' (sent as 'Authorization: Bearer'): check it."
      : "The open-source server needs no key, so the server or a gateway in front of it asked for credentials: set 'api_key' (sent as 'Authorization: Bearer')."
    const what = refusalDetail(parts, parsed, apiMessage)
    return { kind: 'fatal', scope: 'run', reason: `The MemOS server refused the request (HTTP ${httpStatus}${what}). ${hint}` }
  }
  const foreign = foreignAnswer(parts, parsed)
  if (foreign) return { kind: 'fatal', scope: 'run', reason: wrongServerReason(foreign, parsed) }
  const retryable = retryableAnswer(parts, apiMessage)
  if (retryable) return retryable
  if (!hasMemosEnvelope(parsed)) {
    return {
      kind: 'transient',
      reason: `HTTP ${httpStatus}${describeBody(headers, body)}`,
      problem: `HTTP ${httpStatus}`,
      throttled: false
    }
  }
  if (httpStatus === 404 || parsed.code === 404) {
    return { kind: 'not_found', reason: `HTTP ${httpStatus}${messageOf(parsed) || ', code 404'}`, hint: selfHostedNotFoundHint(userId) }
  }
  if (httpStatus === 422 || parsed.code === 422) {
    return { kind: 'fatal', scope: 'task', reason: `The MemOS server refused the request (HTTP ${httpStatus}${messageOf(parsed)}).` }
  }
  if (parsed.code >= 500)
    return {
      kind: 'transient',
      reason: `MemOS server error (code ${parsed.code}${messageOf(parsed)})`,
      problem: SERVER_ERROR,
      throttled: false
    }
  // Stryker disable next-line EqualityOperator: no 3xx gets here (foreignAnswer turns redirects away), so `<= 300` cannot differ
  const success = httpStatus < 300
  if (parsed.code === 200 && success) return readStatus(parsed, httpStatus)
  return {
    kind: 'fatal',
    scope: 'task',
    reason: `The MemOS server returned an error (HTTP ${httpStatus}, code ${parsed.code}${messageOf(parsed)}).`
  }
}

function wrongServerReason(foreign: string, parsed: Record<string, unknown> | undefined): string {
  let hint: string
  if (hasMemosEnvelope(parsed)) {
    hint = "That is how MemOS Cloud answers: for the cloud, set 'api: cloud' (or leave 'api' out)."
  } else if (isFastApiError(parsed)) {
    hint =
      "The server has no task-status route there: check that 'base_url' ends with the API prefix " +
      '(http://localhost:8000/product for the docker quick start) and that the server is a MemOS 2 release.'
  } else {
    hint = "Check 'base_url': it is the open-source server's API root, such as http://localhost:8000/product."
  }
  return `'base_url' did not answer like the open-source MemOS server ('api: self-hosted'): GET /scheduler/status got ${foreign}. ${hint}`
}

/** The status of the task's item(s): `failed` if any failed, else running if any is not done, else completed. */
const RUNNING_ITEM_STATUSES = new Set(['waiting', 'in_progress'])

function readStatus(parsed: Record<string, unknown>, httpStatus: number): StatusOutcome {
  const items = (Array.isArray(parsed.data) ? parsed.data : [parsed.data]).filter(isJsonObject)
  const statuses = items.map((item) => (typeof item.status === 'string' ? item.status.trim() : ''))
  if (items.length === 0 || statuses.some((status) => status === '')) {
    return {
      kind: 'transient',
      reason: `malformed response (HTTP ${httpStatus}, 'data' holds no task status)`,
      problem: MALFORMED,
      throttled: false
    }
  }
  // The server aggregates a task's items into one entry; should it list several, aggregate them the same way.
  const [first] = items as [Record<string, unknown>]
  if (items.length === 1) return { kind: 'status', status: statuses[0] as string, data: first }
  const lower = statuses.map((status) => status.toLowerCase())
  const status = lower.includes('failed') ? 'failed' : lower.some((s) => RUNNING_ITEM_STATUSES.has(s)) ? 'in_progress' : 'completed'
  return { kind: 'status', status, data: { ...first, status, items } }
}

export class SelfHostedClient implements StatusSource {
  private readonly base: string
  private readonly headers: Record<string, string>

  constructor(private readonly options: SelfHostedClientOptions) {
    this.base = `${options.baseUrl}/scheduler/status`
    // The server logs every request header: a key goes out only when the user gave one.
    this.headers = { Accept: 'application/json', ...bearerAuthorization(options.apiKey) }
  }

  async getStatus(taskId: string, options: RequestOptions): Promise<StatusOutcome> {
    const url = new URL(this.base)
    url.searchParams.set('user_id', this.options.userId)
    url.searchParams.set('task_id', taskId)
    const { userId, apiKey } = this.options
    return this.options.transport.send({ method: 'GET', url, headers: this.headers }, options, (parts) =>
      classifySelfHostedResponse(parts, userId, apiKey !== '')
    )
  }
}
