/** Reading the parts of an HTTP answer that both APIs share: JSON bodies, Retry-After, rate-limit headers. */
import type * as http from 'node:http'
import type { ResponseParts } from '../http/transport.js'
import type { RateBudget, StatusOutcome } from '../shared/outcome.js'
import { BODY_START_MAX, clip, SERVER_MESSAGE_MAX } from '../shared/text.js'

/** A JSON object: not null, not an array, not a string or a number. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * The deepest a body may nest arrays and objects. A MemOS answer nests five levels at most (the envelope, `data`,
 * `memory_views`, a kind of memory, its list of ids); 64 leaves room for whatever a server adds. Deeper bodies are
 * read as malformed: JSON.parse would take them (it does not recurse), but a 16 MiB `[[[[…]]]]` costs seconds and
 * hundreds of MB to parse, and the outputs' JSON.stringify recurses and throws past a few thousand levels.
 */
export const JSON_DEPTH_MAX = 64

/** Whether JSON text nests arrays and objects deeper than `max`, in one pass; brackets inside strings do not count. */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let at = 0; at < text.length; at++) {
    const char = text.charCodeAt(at)
    if (inString) {
      // A backslash escapes the next character, a quote among them.
      if (char === BACKSLASH) at++
      else if (char === QUOTE) inString = false
    } else if (char === QUOTE) inString = true
    else if (char === OPEN_BRACKET || char === OPEN_BRACE) {
      if (++depth > max) return true
    } else if (char === CLOSE_BRACKET || char === CLOSE_BRACE) depth--
  }
  return false
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d

/** The body as a JSON object; undefined when it is not one, or nests deeper than JSON_DEPTH_MAX. */
export function parseJsonObject(body: string): Record<string, unknown> | undefined {
  // Only an object is wanted: any other body (a page, a list) is neither scanned nor parsed.
  if (!/^[ \t\n\r]*\{/.test(body) || nestsDeeperThan(body, JSON_DEPTH_MAX)) return undefined
  return parseObject(body)
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body)
    return isJsonObject(value) ? value : undefined
    // Stryker disable next-line BlockStatement: an empty catch block returns undefined as well
  } catch {
    return undefined
  }
}

/** The MemOS envelope: a numeric `code` (and usually `message` and `data`). Starlette's `{"detail":…}` is not one. */
export function hasMemosEnvelope(parsed: Record<string, unknown> | undefined): parsed is Record<string, unknown> & { code: number } {
  return parsed !== undefined && typeof parsed.code === 'number'
}

export function messageOf(parsed: Record<string, unknown>): string {
  return typeof parsed.message === 'string' && parsed.message !== '' ? `: ${clip(parsed.message, SERVER_MESSAGE_MAX)}` : ''
}

/** ", code 40132: Invalid key" for a MemOS error body; ": …" for a message without a code. */
export function describeApiError(parsed: Record<string, unknown>): string {
  return typeof parsed.code === 'number' ? `, code ${parsed.code}${messageOf(parsed)}` : messageOf(parsed)
}

/**
 * ", text/html, not JSON: '<html>…'" or ", application/json: '{"detail":"Not Found"}'": what came back instead.
 * Only a body that starts like JSON is parsed, and only as far as it needs to be read to quote its start.
 */
export function describeBody(headers: http.IncomingHttpHeaders, body: string): string {
  const type = headers['content-type'] ? `, ${clip(String(headers['content-type']).split(';')[0] as string, SERVER_MESSAGE_MAX)}` : ''
  const text = collapsedStart(body, BODY_START_MAX)
  if (text === '') return `${type}, empty body`
  const start = clip(text, BODY_START_MAX)
  if (!text.startsWith('{') && !text.startsWith('[')) return `${type}, not JSON: '${start}'`
  if (nestsDeeperThan(body, JSON_DEPTH_MAX)) return `${type}, JSON nested deeper than ${JSON_DEPTH_MAX} levels: '${start}'`
  return text.startsWith('{') && parseObject(body) !== undefined ? `${type}: '${start}'` : `${type}, not JSON: '${start}'`
}

/**
 * The text with each run of whitespace as one space, trimmed, as far as needed to quote `max` characters of it
 * (or to see that it is longer): the same start as collapsing the whole text, without a pass over all 16 MiB.
 */
function collapsedStart(text: string, max: number): string {
  const pieces = /\s+|\S{1,256}/g
  let start = ''
  for (let piece = pieces.exec(text); piece; piece = pieces.exec(text)) {
    start += /^\s/.test(piece[0]) ? ' ' : piece[0]
    if (start.trim().length > max) break
  }
  return start.trim()
}

/**
 * The longest wait a server's `Retry-After` or `X-RateLimit-Reset` is taken to ask for: a day, the longest
 * `timeout`, so a longer one means the same for the step. It keeps every wait finite (10^400 reads as Infinity)
 * and inside what a Node timer holds: one over 2^31-1 ms (about 24.8 days) fires after 1 ms instead.
 */
export const SERVER_WAIT_MAX_MS = 24 * 3_600_000

/** A wait the server asked for, in whole milliseconds from 0 to SERVER_WAIT_MAX_MS. */
const serverWait = (ms: number): number => Math.min(Math.max(0, Math.round(ms)), SERVER_WAIT_MAX_MS)

/** `Retry-After` in seconds or as an HTTP date, as milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (!text) return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return serverWait(Number(text) * 1000)
  // Every HTTP date form has a time of day; V8's lenient Date.parse would also read "-1" or "in 5" as a day in 2001.
  const at = /\d\d:\d\d:\d\d/.test(text) ? Date.parse(text) : Number.NaN
  return Number.isNaN(at) ? undefined : serverWait(at - nowMs)
}

/**
 * `X-RateLimit-Remaining` with `X-RateLimit-Reset`, as a budget; undefined when either is missing. The reset is
 * a unix time in seconds (the open-source server), or, when small, seconds from now (a common gateway style).
 */
export function parseRateBudget(headers: http.IncomingHttpHeaders, nowMs: number): RateBudget | undefined {
  const remainingText = headerValue(headers['x-ratelimit-remaining'])
  const resetText = headerValue(headers['x-ratelimit-reset'])
  if (!remainingText || !resetText || !/^\d+$/.test(remainingText) || !/^\d+(\.\d+)?$/.test(resetText)) return undefined
  const reset = Number(resetText)
  // Unix seconds are past 1e9; a gateway's "seconds until reset" is far smaller.
  // Stryker disable next-line EqualityOperator: a reset of exactly 1e9 means 2001 or 31 years ahead; no real header says it
  const resetInMs = reset > 1e9 ? reset * 1000 - nowMs : reset * 1000
  // A whole number of seconds is rounded down (the open-source server sends int(now + window)): the window may
  // reset up to a second later than it says, and a budget spent up to the very second would meet a 429.
  const rounding = Number.isInteger(reset) ? 1000 : 0
  // A count past 2^53 is not exact, and past 10^308 is Infinity: either way, more than the step will use.
  return { remaining: Math.min(Number(remainingText), Number.MAX_SAFE_INTEGER), resetInMs: serverWait(Math.max(0, resetInMs) + rounding) }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim()
}

/**
 * Why an answer plainly did not come from a MemOS API, or undefined when it may have. A redirect, a 404 or 405
 * without the MemOS envelope (a missing route), or an HTML page that is not a gateway's 5xx/408/429 error page.
 */
export function foreignAnswer(parts: ResponseParts, parsed: Record<string, unknown> | undefined): string | undefined {
  const { httpStatus, headers, body } = parts
  if (httpStatus >= 300 && httpStatus < 400) {
    const location = typeof headers.location === 'string' ? ` to ${clip(headers.location, SERVER_MESSAGE_MAX)}` : ''
    return `a redirect (HTTP ${httpStatus}${location})`
  }
  if ((httpStatus === 404 || httpStatus === 405) && !hasMemosEnvelope(parsed)) return `HTTP ${httpStatus}${describeBody(headers, body)}`
  const retryable = httpStatus === 408 || httpStatus === 429 || httpStatus >= 500
  if (!retryable && isHtml(headers, body)) return `an HTML page (HTTP ${httpStatus}${describeBody(headers, body)})`
  return undefined
}

/** What a refusal (HTTP 401/403) quotes: the API's own message, or the start of a page that is not MemOS's. */
export function refusalDetail({ headers, body }: ResponseParts, parsed: Record<string, unknown> | undefined, apiMessage: string): string {
  return apiMessage || (hasMemosEnvelope(parsed) ? '' : describeBody(headers, body))
}

/** The self-hosted server's credentials, status requests and wait stream alike: a Bearer header when a key is set. */
export function bearerAuthorization(apiKey: string): Record<string, string> {
  return apiKey ? { Authorization: `Bearer ${apiKey}` } : {}
}

/** The kinds of problem an outage counts, for an answer whose reason gives the details. */
export const SERVER_ERROR = 'MemOS server error'
export const MALFORMED = 'malformed response'

/** HTTP 408, 429 and 5xx: worth retrying after the server's Retry-After; undefined for any other status. */
export function retryableAnswer(parts: ResponseParts, apiMessage: string): StatusOutcome | undefined {
  const { httpStatus, headers, body, nowMs } = parts
  if (httpStatus !== 408 && httpStatus !== 429 && httpStatus < 500) return undefined
  return {
    kind: 'transient',
    reason: `HTTP ${httpStatus}${apiMessage || describeBody(headers, body)}`,
    problem: `HTTP ${httpStatus}`,
    retryAfterMs: parseRetryAfter(headers['retry-after'], nowMs),
    throttled: httpStatus === 429
  }
}

/** The outcome with the answer's `X-RateLimit-*` budget, when it carried one, whatever the outcome's kind. */
export function withBudget(outcome: StatusOutcome, parts: ResponseParts): StatusOutcome {
  const budget = parseRateBudget(parts.headers, parts.nowMs)
  return budget ? { ...outcome, budget } : outcome
}

/** FastAPI's own error body, `{"detail": …}` without `code`: what the open-source server sends for a missing route. */
export function isFastApiError(parsed: Record<string, unknown> | undefined): boolean {
  return parsed !== undefined && !hasMemosEnvelope(parsed) && 'detail' in parsed
}

function isHtml(headers: http.IncomingHttpHeaders, body: string): boolean {
  const type = headers['content-type']
  // Stryker disable next-line StringLiteral: without the header, any fallback text that does not say "html" reads the same
  return /html/i.test(type ?? '') || /^\s*<(!doctype|html|head|body)\b/i.test(body)
}
