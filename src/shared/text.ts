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

/** Statuses are short words; anything longer from a server is cut to this. */
export const STATUS_MAX = 200

/** The longest the `error` output and the step's error annotation need to be. */
export const ERROR_TEXT_MAX = 2000

/** The longest a reason from one request (a problem with its advice) is kept. */
export const REASON_MAX = 1000

/** The longest a piece of outside text (an error's message, a body's start) is quoted inside a reason. */
export const QUOTE_MAX = 300

/** The longest an input's value is quoted in an input error. */
export const INPUT_QUOTE_MAX = 80

/** An input's value as an error quotes it: one line, cut short. */
export function inputQuote(text: string): string {
  return clip(sanitize(text), INPUT_QUOTE_MAX)
}
