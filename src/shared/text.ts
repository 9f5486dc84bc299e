/**
 * Text that comes from outside (a server's body, an OpenSSL message) made safe to log, annotate or output:
 * one line, no terminal escapes, a bounded length.
 */

/** Line breaks and tabs, which become a space. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g
/** Other C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a reader sees. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Puts text on one line and replaces each control character (an ANSI escape, a NUL) with U+FFFD. */
export function sanitize(text: string): string {
  return text.replace(BREAKS, ' ').replace(CONTROLS, '\uFFFD')
}

/**
 * Cuts text to at most `max` characters, ending with '…' when cut; never splits a surrogate pair, and drops
 * the spaces the cut would leave before the '…'.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  let end = Math.max(0, max - 1)
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${text.slice(0, end).trimEnd()}…`
}

// Every limit on text from outside, in one place. Outputs and the summary have hard size limits (1 MB per output,
// 1 MiB of summary), and a server may send anything: each piece is cut where it is quoted, to what a reader needs.

/** Statuses are short words; anything longer from a server is cut to this. */
export const STATUS_MAX = 200

/** A status where a reason or a table cell quotes it, so that a long one does not crowd out the rest. */
export const QUOTED_STATUS_MAX = 100

/** A server's own message (the envelope's `message`, a redirect's target) inside a reason. */
export const SERVER_MESSAGE_MAX = 200

/** The start of a body that came back instead of the API's answer. */
export const BODY_START_MAX = 80

/** The longest a reason from one request (a problem with its advice) is kept. */
export const REASON_MAX = 1000

/** The longest a piece of outside text (an error's message, a frame) is quoted inside a reason. */
export const QUOTE_MAX = 300

/** A task's reason where it stands alone: the error output, one task's summary, the first reason of a kind. */
export const TASK_REASON_MAX = 400

/** A reason in a summary table cell. */
export const CELL_REASON_MAX = 120

/** Server text in a summary table cell, the timeline and the memory ids. */
export const CELL_TEXT_MAX = 100

/** One line of the summary of a step that could not run (an input error quotes its values already cut). */
export const ERROR_LINE_MAX = 1000

/** The longest the `error` output and the step's error annotation need to be. */
export const ERROR_TEXT_MAX = 2000

/** The longest an input's value is quoted in an input error. */
export const INPUT_QUOTE_MAX = 80

/** An input's value as an error quotes it: one line, cut short. */
export function inputQuote(text: string): string {
  return clip(sanitize(text), INPUT_QUOTE_MAX)
}

/**
 * An error's own message, or the text of whatever else was thrown. By its shape rather than `instanceof Error`:
 * an error from Node's own modules is not an instance of another realm's Error (a test runner's sandbox).
 */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message
  return typeof message === 'string' ? message : String(error)
}
