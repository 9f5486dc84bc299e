/**
 * One task through the wait: what it last reported, what its attempts ran into, and how it ended. The poller
 * decides when to ask; this records what each answer means for the task.
 */
import type { Settings } from '../settings/settings.js'
import { reasonText, type StatusChange, type TaskConclusion, type TaskReason, type TaskResult } from './results.js'

/** Statuses that mean "not finished yet" without a warning; anything else unknown is warned about once. */
const KNOWN_RUNNING_STATUSES = new Set(['running', 'waiting', 'pending', 'queued', 'in_progress', 'processing'])

/** What a status means for its task, compared case-insensitively. */
export type StatusMeaning = 'success' | 'failure' | 'running' | 'unknown'

export function meaningOf(status: string, settings: Pick<Settings, 'successStatuses' | 'failureStatuses'>): StatusMeaning {
  const normalized = status.toLowerCase()
  if (settings.successStatuses.has(normalized)) return 'success'
  if (settings.failureStatuses.has(normalized)) return 'failure'
  return KNOWN_RUNNING_STATUSES.has(normalized) ? 'running' : 'unknown'
}

export class TaskState {
  /** The last status MemOS reported, as spelled by MemOS; '' until one is. */
  status = ''
  conclusion: TaskConclusion | undefined
  reason: TaskReason | undefined
  attempts = 0
  readonly timeline: StatusChange[] = []
  finishedAt: number | undefined
  /** When the next poll is due (the poller's queue orders by it). */
  dueAt = 0
  consecutiveFailures = 0
  // Stryker disable next-line StringLiteral: used only in the timeout of a task that was polled, and every answer sets it.
  lastProblem = ''
  /** Failed attempts per kind of problem over the whole wait. */
  readonly problems = new Map<string, number>()
  notFoundSince: number | undefined
  /** While a hint's round has made the task due now: the time it was due before (see hint-rounds.ts). */
  hintedFrom: number | undefined

  constructor(
    readonly index: number,
    readonly taskId: string
  ) {}

  /** Seen with a status and not finished: what the wait stream's count of active tasks is compared with. */
  get running(): boolean {
    return this.conclusion === undefined && this.status !== ''
  }

  /** A status answer (its data is the poller's to keep). Returns whether the status changed, which the log and the timeline show. */
  recordStatus(status: string, elapsedMs: number): boolean {
    this.consecutiveFailures = 0
    this.lastProblem = ''
    this.notFoundSince = undefined
    if (status === this.status) return false
    this.status = status
    this.timeline.push({ status, atMs: elapsedMs })
    return true
  }

  /** A failed attempt, counted by its kind of problem. */
  recordProblem(problem: string, reason: string): void {
    this.consecutiveFailures++
    this.lastProblem = reason
    this.problems.set(problem, (this.problems.get(problem) ?? 0) + 1)
  }

  /** "Not found": the grace runs from the first such answer's request. Returns when the grace ends. */
  recordNotFound(reason: string, startedAt: number, graceMs: number): number {
    this.consecutiveFailures = 0
    this.notFoundSince ??= startedAt
    this.lastProblem = `not found (${reason})`
    return this.notFoundSince + graceMs
  }

  finish(conclusion: TaskConclusion, reason: TaskReason | undefined, now: number): void {
    this.conclusion = conclusion
    this.reason = reason
    this.finishedAt = now
  }

  /**
   * The task as the report sees it, with what was kept of its data; an unfinished one takes the conclusion and
   * reason the wait's end gives it.
   */
  result<Data>(
    startMs: number,
    endMs: number,
    unfinished: (task: TaskState) => { conclusion: TaskConclusion; reason: TaskReason },
    data: Data | null
  ): TaskResult<Data> {
    const { conclusion, reason } = this.conclusion === undefined ? unfinished(this) : { conclusion: this.conclusion, reason: this.reason }
    return {
      taskId: this.taskId,
      status: this.status,
      conclusion,
      attempts: this.attempts,
      durationMs: Math.round((this.finishedAt ?? endMs) - startMs),
      data,
      reason,
      error: reason ? reasonText(this.taskId, reason) : '',
      timeline: this.timeline
    }
  }
}
