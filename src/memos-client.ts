import * as http from 'node:http'
import * as https from 'node:https'
import { HttpClient } from '@actions/http-client'

/**
 * What one status request told us. Every response and every network failure maps to exactly one of
 * these, so the poller never has to look at HTTP details.
 */
export type StatusOutcome =
  /** The API answered with a status (raw, as MemOS spelled it) and its `data` object. */
  | { kind: 'status'; status: string; data: Record<string, unknown> }
  /** Worth retrying. `throttled` marks rate limiting, which slows every task of the run. */
  | { kind: 'transient'; reason: string; retryAfterMs?: number; throttled: boolean }
  /** The task is unknown: wrong id, a key from another project, or not visible yet. */
  | { kind: 'not_found'; reason: string; looksLikeWrongUrl: boolean }
  /** Retrying will not help. `run` problems (the key, the quota) stop every task. */
  | { kind: 'fatal'; reason: string; scope: 'task' | 'run' }

export interface ResponseParts {
  httpStatus: number
  headers: http.IncomingHttpHeaders
  body: string
  /** For Retry-After given as an HTTP date. */
  nowMs: number
}

const AUTH_CODES = new Set([40100, 40130, 40132])
const PARAMETER_CODES = new Set([40000, 40001, 40002, 40003, 40006])
const QUOTA_CODES = new Set([40301, 40302, 40303, 40304, 40305])
const TRANSIENT_CODES = new Set([50000, 50002, 50004, 50005])
const RATE_LIMIT_CODE = 40300
const NOT_FOUND_CODES = new Set([50131, 404])
const SUCCESS_CODES = new Set([0, 200])

const AUTH_HINT = "Check the 'api_key' input: it must be a MemOS API key (API Console > API Keys) of the project that created the task."

/** Classifies one HTTP response of POST /get/status. Pure, so every case is a table row in the tests. */
export function classifyResponse({ httpStatus, headers, body, nowMs }: ResponseParts): StatusOutcome {
  const parsed = parseJsonObject(body)
  const apiMessage = parsed ? describeApiError(parsed) : ''

  if (httpStatus === 401 || httpStatus === 403) {
    return { kind: 'fatal', scope: 'run', reason: `MemOS rejected the API key (HTTP ${httpStatus}${apiMessage}). ${AUTH_HINT}` }
  }
  if (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500) {
    return {
      kind: 'transient',
      reason: `HTTP ${httpStatus}${apiMessage || describeNonJson(headers, body)}`,
      retryAfterMs: parseRetryAfter(headers['retry-after'], nowMs),
      throttled: httpStatus === 429
    }
  }
  if (httpStatus === 404) {
    return {
      kind: 'not_found',
      reason: `HTTP 404${apiMessage || describeNonJson(headers, body)}`,
      looksLikeWrongUrl: parsed === undefined
    }
  }
  if (httpStatus >= 300 && httpStatus < 400) {
    const location = typeof headers.location === 'string' ? ` to ${headers.location}` : ''
    return { kind: 'fatal', scope: 'run', reason: `MemOS answered with a redirect (HTTP ${httpStatus}${location}); check 'base_url'.` }
  }
  if (parsed === undefined) {
    return { kind: 'transient', reason: `HTTP ${httpStatus}${describeNonJson(headers, body)}`, throttled: false }
  }

  const code = typeof parsed.code === 'number' ? parsed.code : Number.NaN
  if (SUCCESS_CODES.has(code) && httpStatus < 300) return readStatus(parsed, httpStatus)
  if (NOT_FOUND_CODES.has(code)) return { kind: 'not_found', reason: `code ${code}${messageOf(parsed)}`, looksLikeWrongUrl: false }
  if (AUTH_CODES.has(code)) {
    return { kind: 'fatal', scope: 'run', reason: `MemOS rejected the API key (code ${code}${messageOf(parsed)}). ${AUTH_HINT}` }
  }
  if (code === RATE_LIMIT_CODE) {
    return {
      kind: 'transient',
      reason: `rate limited (code ${code}${messageOf(parsed)})`,
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
  if (TRANSIENT_CODES.has(code) || (code >= 50000 && code < 60000)) {
    return { kind: 'transient', reason: `MemOS server error (code ${code}${messageOf(parsed)})`, throttled: false }
  }
  if (Number.isNaN(code)) {
    return { kind: 'transient', reason: `malformed response (HTTP ${httpStatus}, no numeric 'code')`, throttled: false }
  }
  return { kind: 'fatal', scope: 'task', reason: `MemOS returned an error (HTTP ${httpStatus}, code ${code}${messageOf(parsed)}).` }
}

/** `data` is an object, or the legacy one-element list; its `status` is required. */
function readStatus(parsed: Record<string, unknown>, httpStatus: number): StatusOutcome {
  const raw = Array.isArray(parsed.data) ? (parsed.data.length === 1 ? parsed.data[0] : undefined) : parsed.data
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { kind: 'transient', reason: `malformed response (HTTP ${httpStatus}, 'data' is not an object)`, throttled: false }
  }
  const data = raw as Record<string, unknown>
  if (typeof data.status !== 'string' || data.status.trim() === '') {
    return { kind: 'transient', reason: `malformed response (HTTP ${httpStatus}, 'data.status' is missing)`, throttled: false }
  }
  return { kind: 'status', status: data.status.trim(), data }
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function describeApiError(parsed: Record<string, unknown>): string {
  return typeof parsed.code === 'number' ? `, code ${parsed.code}${messageOf(parsed)}` : messageOf(parsed)
}

function messageOf(parsed: Record<string, unknown>): string {
  return typeof parsed.message === 'string' && parsed.message !== '' ? `: ${clip(parsed.message, 200)}` : ''
}

function describeNonJson(headers: http.IncomingHttpHeaders, body: string): string {
  const type = headers['content-type'] ? `, ${String(headers['content-type']).split(';')[0]}` : ''
  const text = body.replace(/\s+/g, ' ').trim()
  return text === '' ? `${type}, empty body` : `${type}, not JSON: '${clip(text, 80)}'`
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/** `Retry-After` in seconds or as an HTTP date, as milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (!text) return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}

/** Network failures: all worth retrying, except a certificate the runner will never trust. */
export function classifyNetworkError(error: unknown, timeoutMs: number, timedOut: boolean): StatusOutcome {
  if (timedOut) return { kind: 'transient', reason: `no response within ${timeoutMs}ms`, throttled: false }
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? ''
  const message = error instanceof Error ? error.message : String(error)
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code)) {
    return { kind: 'fatal', scope: 'run', reason: `TLS error talking to MemOS (${code}: ${message}); check 'base_url' and any proxy.` }
  }
  return { kind: 'transient', reason: `network error (${code ? `${code}: ` : ''}${message})`, throttled: false }
}

export interface MemosClientOptions {
  baseUrl: string
  apiKey: string
  userAgent: string
  /** Bodies larger than this are cut off and treated as malformed, so a broken gateway cannot exhaust memory. */
  maxBodyBytes?: number
  now?: () => number
}

export interface RequestOptions {
  timeoutMs: number
  signal: AbortSignal
}

/** Thrown only when the caller's signal aborted the request (cancellation); every other failure is an outcome. */
export class RequestAbortedError extends Error {
  constructor() {
    super('request aborted')
    this.name = 'RequestAbortedError'
  }
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

/**
 * The MemOS task-status client. It sends the request with Node's http module so that each request can
 * be aborted and timed out on its own, and takes its connection agent from @actions/http-client, which
 * applies HTTPS_PROXY / HTTP_PROXY / NO_PROXY and keeps connections alive across polls.
 */
export class MemosClient {
  private readonly http: HttpClient
  private readonly url: URL
  private readonly headers: http.OutgoingHttpHeaders
  private readonly maxBodyBytes: number
  private readonly now: () => number

  constructor(options: MemosClientOptions) {
    this.url = new URL(`${options.baseUrl}/get/status`)
    this.http = new HttpClient(options.userAgent, [], { keepAlive: true })
    this.headers = {
      Authorization: `Token ${options.apiKey}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': options.userAgent
    }
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    this.now = options.now ?? Date.now
  }

  get endpoint(): string {
    return this.url.href
  }

  async getStatus(taskId: string, { timeoutMs, signal }: RequestOptions): Promise<StatusOutcome> {
    if (signal.aborted) throw new RequestAbortedError()
    const payload = JSON.stringify({ task_id: taskId })
    const transport = this.url.protocol === 'https:' ? https : http
    const agent = this.http.getAgent(this.url.href)

    return new Promise<StatusOutcome>((resolve, reject) => {
      let settled = false
      let timedOut = false
      const finish = (settle: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        settle()
      }
      const request = transport.request(this.url, {
        method: 'POST',
        agent,
        headers: { ...this.headers, 'Content-Length': Buffer.byteLength(payload) }
      })
      const onAbort = (): void => {
        finish(() => reject(new RequestAbortedError()))
        request.destroy()
      }
      const timer = setTimeout(() => {
        timedOut = true
        request.destroy(new Error('request timed out'))
      }, timeoutMs)
      signal.addEventListener('abort', onAbort, { once: true })

      request.on('error', (error) => finish(() => resolve(classifyNetworkError(error, timeoutMs, timedOut))))
      request.on('response', (response) => {
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > this.maxBodyBytes) {
            finish(() =>
              resolve({
                kind: 'transient',
                reason: `response larger than ${this.maxBodyBytes} bytes (HTTP ${response.statusCode})`,
                throttled: false
              })
            )
            response.destroy()
            return
          }
          chunks.push(chunk)
        })
        response.on('error', (error) => finish(() => resolve(classifyNetworkError(error, timeoutMs, timedOut))))
        response.on('close', () =>
          finish(() => resolve(classifyNetworkError(new Error('connection closed before the response ended'), timeoutMs, timedOut)))
        )
        response.on('end', () =>
          finish(() =>
            resolve(
              classifyResponse({
                httpStatus: response.statusCode ?? 0,
                headers: response.headers,
                body: Buffer.concat(chunks).toString('utf8'),
                nowMs: this.now()
              })
            )
          )
        )
      })
      request.end(payload)
    })
  }

  /** Closes kept-alive connections so the process can exit at once. */
  close(): void {
    this.http.dispose()
    // dispose() destroys only the direct agent; a kept-alive tunnel through a proxy would hold the process open.
    const proxyAgent = (this.http as unknown as { _proxyAgent?: { destroy?: () => void } })._proxyAgent
    proxyAgent?.destroy?.()
  }
}
