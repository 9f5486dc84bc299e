/**
 * What the wait hands to the report: one result per task and the run's own facts. A task that did not succeed
 * carries its reason as data (its kind, and the status or problem it quotes); `reasonText` is the one place that
 * words a reason, so the outputs, the summary and the log never read meaning back out of a sentence.
 */
import { formatDuration } from '../shared/duration.js'
import { clip } from '../shared/text.js'
import { countsOf } from './outage-log.js'

/** How one task ended. `pending`: the wait stopped early (fail_fast, or a problem with the key) before it finished. */
export type TaskConclusion = 'success' | 'failure' | 'error' | 'timed_out' | 'cancelled' | 'pending'

export interface StatusChange {
  status: string
  /** Milliseconds from the start of the wait. */
  atMs: number
}

/** Why the wait stopped waiting for the tasks it left: the task that failed (fail_fast), a run-wide problem, or the step. */
export type StopCause = { kind: 'fail_fast'; taskId: string; failed: boolean } | { kind: 'fatal'; problem: string } | { kind: 'step_error' }

/** Why a task did not succeed. Statuses are quoted as the server spelled them; '' when none was reported. */
export type TaskReason =
  /** It reached a failure status. */
  | { kind: 'failed'; status: string }
  /** The server did not know it for the whole not-found grace; `hint` says what to check. */
  | { kind: 'not_found'; problem: string; forMs: number; hint: string }
  /** An answer that retrying would not change (a rejected key, a refused parameter, the wrong server). */
  | { kind: 'error'; problem: string }
  /** Still unfinished at the deadline, with what the attempts ran into. */
  | {
      kind: 'timed_out'
      lastStatus: string
      timeoutMs: number
      attempts: number
      /** The last attempt's problem, '' when it got a status. */
      lastProblem: string
      /** Failed attempts per kind of problem, in the order first seen. */
      problems: ReadonlyArray<readonly [string, number]>
      /** The server (host:port) when no attempt of the run ever got an answer from it. */
      unreached: string | undefined
      /**
       * When the server's rate limit stopped the wait before the deadline: when it would have let the next request
       * through, and when the wait stopped (milliseconds from the start).
       */
      rateLimited?: { nextAtMs: number; stoppedAtMs: number }
    }
  /** Left unwaited when the wait stopped early. */
  | { kind: 'not_waited'; lastStatus: string; cause: StopCause }
  | { kind: 'cancelled'; lastStatus: string }

export type ReasonKind = TaskReason['kind']

/** The `data` object of a status answer, as the API client passes it on. */
export type AnswerData = Record<string, unknown>

/**
 * Reduces a status answer's data to what the wait keeps of it, as the answer arrives, so that a large answer is let
 * go at once; the wait stores what it returns as the task's `data`. `index` is the task's place in the input order;
 * `ending` is the conclusion the answer gives its task when it ends it (that data is then the task's last).
 */
export type DataKeeper<Data> = (data: AnswerData, answer: { index: number; ending: 'success' | 'failure' | undefined }) => Data

/**
 * One task as the wait ends it. `Data` is what the wait kept of the task's last status answer: the answer's own
 * `data` object unless the wait was given a keeper (`PollerDeps.keep`) that reduces it to what the report can show.
 */
export interface TaskResult<Data = AnswerData> {
  taskId: string
  /** The last status MemOS reported, as spelled by MemOS; '' if none was reported. */
  status: string
  conclusion: TaskConclusion
  attempts: number
  durationMs: number
  /** What was kept of the last `data` object MemOS returned; null when no status answer came. */
  data: Data | null
  /** Why the task did not succeed; undefined on success. */
  reason: TaskReason | undefined
  /** The reason in words, as the outputs give it (`reasonText`); '' on success. */
  error: string
  timeline: StatusChange[]
}

/**
 * Why the wait ended before every task finished: cancelled, fail_fast, a problem for every task, or the server's
 * rate limit letting no request through before the deadline.
 */
export type StopReason = 'cancelled' | 'fail_fast' | 'fatal' | 'rate_limited' | undefined

export interface WaitResult<Data = AnswerData> {
  /** In input order. */
  tasks: Array<TaskResult<Data>>
  stopReason: StopReason
  attempts: number
  durationMs: number
}

export interface ReasonStyle {
  /**
   * `id`: the reason names its task ("Task t1 ended …"), as the outputs and the log need. `row`: it stands beside
   * the task's id (a table row), so it leaves the id out, also where the server's own words quote it.
   */
  subject: 'id' | 'row'
  /** Quoted statuses are cut to this many characters, so that a very long one does not crowd out the rest. */
  statusMax?: number
}

const ID_STYLE: ReasonStyle = { subject: 'id' }

/** A task's reason in words. */
export function reasonText(taskId: string, reason: TaskReason, style: ReasonStyle = ID_STYLE): string {
  const row = style.subject === 'row'
  const status = (text: string): string => (style.statusMax === undefined ? text : clip(text, style.statusMax))
  const last = (lastStatus: string): string => (lastStatus ? `last status '${status(lastStatus)}'` : 'no status reported yet')
  const subject = row ? 'Task' : `Task ${taskId}`
  const object = row ? 'the task' : `task ${taskId}`
  // Outside text (a server's message) may quote the id too; beside the id it says nothing new.
  const quoted = (text: string): string => (row ? text.split(`Task ${taskId}`).join('Task').split(`task ${taskId}`).join('the task') : text)
  switch (reason.kind) {
    case 'failed':
      return `${subject} ended with status '${status(reason.status)}'.`
    case 'not_found':
      return `${subject} was not found (${quoted(reason.problem)}) for ${formatDuration(reason.forMs)}. ${reason.hint}`
    case 'error':
      return quoted(reason.problem)
    case 'cancelled':
      return `Cancelled while waiting for ${object} (${last(reason.lastStatus)}).`
    case 'not_waited':
      if (reason.cause.kind === 'step_error') return 'Not waited for: the step stopped on an error (see the error output).'
      return `Not waited for: ${stopCauseText(reason.cause)} (${last(reason.lastStatus)}).`
    case 'timed_out':
      return timedOutText(reason, object, last(reason.lastStatus), quoted)
  }
}

function stopCauseText(cause: Exclude<StopCause, { kind: 'step_error' }>): string {
  if (cause.kind === 'fatal') return cause.problem
  return `fail_fast stopped the wait after task ${cause.taskId} ${cause.failed ? 'failed' : 'errored'}`
}

/** "The server's rate limit allows no request before the timeout (next at 49s, timeout 40s)" */
export function rateLimitText(nextAtMs: number, timeoutMs: number): string {
  return `The server's rate limit allows no request before the timeout (next at ${formatDuration(nextAtMs)}, timeout ${formatDuration(timeoutMs)})`
}

/** The last problem, and the failed attempts counted by kind; "never reached" when nothing ever answered. */
function timedOutText(
  reason: Extract<TaskReason, { kind: 'timed_out' }>,
  object: string,
  last: string,
  quoted: (text: string) => string
): string {
  const limited = reason.rateLimited
  const waited = limited
    ? `${rateLimitText(limited.nextAtMs, reason.timeoutMs)}; stopped after ${formatDuration(limited.stoppedAtMs)} waiting for ${object}`
    : `Timed out after ${formatDuration(reason.timeoutMs)} waiting for ${object}`
  const lastProblem = reason.lastProblem ? `; last attempt: ${quoted(reason.lastProblem)}` : ''
  const counts = countsOf(reason.problems)
  const failures = reason.problems.reduce((sum, [, count]) => sum + count, 0)
  if (reason.unreached && reason.attempts > 0) {
    const attempts = `${reason.attempts} ${reason.attempts === 1 ? 'attempt' : 'attempts'}`
    return `${waited}: never reached ${reason.unreached} in ${attempts} (${counts}${lastProblem}).`
  }
  if (failures === 0) return `${waited} (${last}).`
  return `${waited} (${last}${lastProblem}; ${failures} of ${reason.attempts} attempts failed: ${counts}).`
}
