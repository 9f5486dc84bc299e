/**
 * How the wait reports transient problems without flooding the log. An outage is the run of failed attempts
 * (across all tasks) until the server answers again: its first problem of each kind is a warning, repeats are
 * counted lines, and the answer that ends it says how long it lasted and what it cost.
 */
import { formatDuration } from '../shared/duration.js'
import type { Log } from '../shared/log.js'
import type { StatusOutcome } from '../shared/outcome.js'

type Transient = Extract<StatusOutcome, { kind: 'transient' }>

/** Each kind of problem is annotated at most this often in a run, however often the server flaps. */
const WARNINGS_PER_PROBLEM = 3

interface Outage {
  since: number
  attempts: number
  /** Failed attempts per kind of problem, in the order first seen. */
  kinds: Map<string, number>
}

/** "HTTP 503 ×11, no response in time ×2" */
export function countsOf(kinds: Iterable<readonly [string, number]>): string {
  return [...kinds].map(([problem, count]) => `${problem} ×${count}`).join(', ')
}

export class OutageLog {
  private outage: Outage | undefined
  private readonly warnings = new Map<string, number>()
  private answered = false
  private unreached = ''

  /** `batch`: repeats go to debug, since a batch repeats a problem once per task; the progress line counts them. */
  constructor(
    private readonly log: Log,
    private readonly batch: boolean
  ) {}

  /** Every outcome passes here first: anything but a transient problem ends the outage. */
  observe(outcome: StatusOutcome, now: number): void {
    if (outcome.kind === 'transient' && outcome.unreached !== undefined) this.unreached = outcome.unreached
    else this.answered = true
    if (outcome.kind !== 'transient' && this.outage) {
      const { since, attempts, kinds } = this.outage
      this.outage = undefined
      this.log.info(
        `MemOS answers again after ${formatDuration(now - since)} of problems: ${attempts} failed ${attempts === 1 ? 'attempt' : 'attempts'} (${countsOf(kinds)}).`
      )
    }
  }

  /** Logs one failed attempt; `prefix` names the task, `next` says when it is retried. */
  problem(prefix: string, outcome: Transient, next: string, now: number): void {
    const outage = (this.outage ??= { since: now, attempts: 0, kinds: new Map() })
    const { problem } = outcome
    const seen = (outage.kinds.get(problem) ?? 0) + 1
    outage.attempts++
    outage.kinds.set(problem, seen)
    if (seen === 1) {
      const line = `${prefix}${outcome.reason}${outcome.hint ? ` — ${outcome.hint}` : ''}; ${next}.`
      const warned = this.warnings.get(problem) ?? 0
      if (warned >= WARNINGS_PER_PROBLEM) return this.log.info(line)
      this.warnings.set(problem, warned + 1)
      return this.log.warning(`${line} Repeats are counted, not annotated.`)
    }
    const repeat = `${prefix}${outcome.reason}; ${next} (${problem} ×${seen} in ${formatDuration(now - outage.since)}).`
    if (this.batch) this.log.debug(repeat)
    else this.log.info(repeat)
  }

  /** For the progress line: "; problems for 4.1s: HTTP 503 ×37" during an outage, else ''. */
  progressNote(now: number): string {
    return this.outage ? `; problems for ${formatDuration(now - this.outage.since)}: ${countsOf(this.outage.kinds)}` : ''
  }

  /** The server (host:port) when no attempt got any answer from it, else undefined. */
  neverReached(): string | undefined {
    return !this.answered && this.unreached ? this.unreached : undefined
  }
}
