/** An answer's text as the wait logs it: cut to one short line first, then described for the debug log. */
import { clip, QUOTE_MAX, REASON_MAX, sanitize, STATUS_MAX } from '../shared/text.js'
import type { StatusOutcome } from '../shared/outcome.js'

/** Text from the server or the network, made one short line before it reaches a log line or an output. */
export function cleaned(outcome: StatusOutcome): StatusOutcome {
  if (outcome.kind === 'status') return { ...outcome, status: clip(sanitize(outcome.status), STATUS_MAX) }
  const reason = clip(sanitize(outcome.reason), REASON_MAX)
  // A thrown error's message is its problem too: it is cut like the reason.
  if (outcome.kind === 'transient') return { ...outcome, reason, problem: clip(sanitize(outcome.problem), QUOTE_MAX) }
  return { ...outcome, reason }
}

/** "status 'running'", "transient problem: HTTP 503 …": what an attempt got, for the debug log. */
export function described(outcome: StatusOutcome): string {
  switch (outcome.kind) {
    case 'status':
      return `status '${outcome.status}'`
    case 'transient':
      return `transient problem: ${outcome.reason}`
    case 'not_found':
      return `not found: ${outcome.reason}`
    case 'fatal':
      return `fatal: ${outcome.reason}`
  }
}
