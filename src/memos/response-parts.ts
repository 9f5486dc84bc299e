/** Reading the parts of an HTTP answer that both APIs share: JSON bodies, Retry-After, rate-limit headers. */
import type * as http from 'node:http'
import type { ResponseParts } from '../http/transport.js'
import type { RateBudget, StatusOutcome } from '../wait/ports.js'
import { BODY_START_MAX, clip, SERVER_MESSAGE_MAX } from '../shared/text.js'

/** A JSON object: not null, not an array, not a string or a number. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

export function parseJsonObject(body: string): Record<string, unknown> | undefined {
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

/** ", text/html, not JSON: '<html>…'" or ", application/json: '{"detail":"Not Found"}'": what came back instead. */
export function describeBody(headers: http.IncomingHttpHeaders, body: string): string {
  const type = headers['content-type'] ? `, ${String(headers['content-type']).split(';')[0]}` : ''
  const text = body.replace(/\s+/g, ' ').trim()
  if (text === '') return `${type}, empty body`
  return parseJsonObject(body) === undefined
    ? `${type}, not JSON: '${clip(text, BODY_START_MAX)}'`
    : `${type}: '${clip(text, BODY_START_MAX)}'`
}

/** `Retry-After` in seconds or as an HTTP date, as milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (!text) return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  // Every HTTP date form has a time of day; V8's lenient Date.parse would also read "-1" or "in 5" as a day in 2001.
  const at = /\d\d:\d\d:\d\d/.test(text) ? Date.parse(text) : Number.NaN
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
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
  return { remaining: Number(remainingText), resetInMs: Math.max(0, Math.round(resetInMs)) + rounding }
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

/** HTTP 408, 429 and 5xx: worth retrying after the server's Retry-After; undefined for any other status. */
export function retryableAnswer(parts: ResponseParts, apiMessage: string): StatusOutcome | undefined {
  const { httpStatus, headers, body, nowMs } = parts
  if (httpStatus !== 408 && httpStatus !== 429 && httpStatus < 500) return undefined
  return {
    kind: 'transient',
    reason: `HTTP ${httpStatus}${apiMessage || describeBody(headers, body)}`,
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
