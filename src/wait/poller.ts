import { setMaxListeners } from 'node:events'
import { type Clock, systemClock, Waker } from './clock.js'
import { formatDuration } from '../shared/duration.js'
import type { HintSource } from './ports.js'
import type { Settings } from '../settings/read-settings.js'
import type { StatusOutcome, StatusSource } from './ports.js'
import { MinHeap } from './min-heap.js'
import { countsOf, OutageLog, problemOf } from './outage-log.js'
import { clip, REASON_MAX, sanitize } from '../shared/text.js'
import { RateLimiter } from './rate-limiter.js'
import {
  DEFAULT_SHAPE,
  type Deadline,
  finalPollAt,
  finalPollLead,
  hintedPollDelay,
  mayStartPoll,
  nextPollAt,
  planDeadline,
  pollDelay,
  requestTimeoutAt,
  retryDelay,
  type ScheduleShape
} from './schedule.js'

/** How one task ended. `pending`: the wait stopped early (fail_fast, or a problem with the key) before it finished. */
export type TaskConclusion = 'success' | 'failure' | 'error' | 'timed_out' | 'cancelled' | 'pending'

export interface StatusChange {
  status: string
  /** Milliseconds from the start of the wait. */
  atMs: number
}

export interface TaskResult {
  taskId: string
  /** The last status MemOS reported, as spelled by MemOS; '' if none was reported. */
  status: string
  conclusion: TaskConclusion
  attempts: number
  durationMs: number
  /** The last `data` object MemOS returned. */
  data: Record<string, unknown> | null
  /** Why the task did not succeed; '' on success. */
  error: string
  timeline: StatusChange[]
}

/** Why the wait ended before every task finished. */
export type StopReason = 'cancelled' | 'fail_fast' | 'fatal' | undefined

export interface WaitResult {
  /** In input order. */
  tasks: TaskResult[]
  stopReason: StopReason
  attempts: number
  durationMs: number
}

export type PollSettings = Pick<
  Settings,
  | 'taskIds'
  | 'timeoutMs'
  | 'intervalMs'
  | 'maxIntervalMs'
  | 'requestTimeoutMs'
  | 'notFoundGraceMs'
  | 'successStatuses'
  | 'failureStatuses'
  | 'maxRequestsPerSecond'
  | 'failFast'
>

export interface PollLog {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

export interface PollerDeps {
  client: StatusSource
  log: PollLog
  /** Aborted on SIGINT/SIGTERM: the sleep and the requests in flight end at once. */
  signal: AbortSignal
  clock?: Clock
  random?: () => number
  shape?: ScheduleShape
  /** Signals to look now (the self-hosted wait stream); without them the schedule alone decides. */
  hints?: HintSource
}

/** Statuses that mean "not finished yet" without a warning; anything else unknown is warned about once. */
const KNOWN_RUNNING_STATUSES = new Set(['running', 'waiting', 'pending', 'queued', 'in_progress', 'processing'])

/** A batch logs a progress line at most this often. */
const PROGRESS_EVERY_MS = 5000

/** Statuses are short words; anything longer from a server is cut to this. */
const STATUS_MAX = 200

interface TaskState {
  index: number
  taskId: string
  status: string
  conclusion: TaskConclusion | undefined
  attempts: number
  data: Record<string, unknown> | null
  error: string
  timeline: StatusChange[]
  finishedAt: number | undefined
  dueAt: number
  consecutiveFailures: number
  lastProblem: string
  /** Failed attempts per kind of problem over the whole wait. */
  problems: Map<string, number>
  notFoundSince: number | undefined
}

/** Polls every task until each has finished, the deadline passes, or the run is cancelled. */
export function waitForTasks(settings: PollSettings, deps: PollerDeps): Promise<WaitResult> {
  return new Poller(settings, deps).run()
}

class Poller {
  private readonly clock: Clock
  private readonly random: () => number
  private readonly shape: ScheduleShape
  private readonly limiter: RateLimiter
  private readonly waker: Waker
  /** Aborts the requests in flight when the wait stops for any reason. */
  private readonly inFlightAbort = new AbortController()
  private readonly due = new MinHeap<TaskState>(
    (a, b) =>
      a.dueAt < b.dueAt ||
      (a.dueAt === b.dueAt &&
        // Stryker disable next-line EqualityOperator: the heap never compares a task with itself, and no two tasks share an index.
        a.index < b.index)
  )
  private readonly tasks: TaskState[]
  private readonly warnedStatuses = new Set<string>()
  private readonly outages: OutageLog
  private readonly batch: boolean
  private start = 0
  private deadline!: Deadline
  private inFlight = 0
  private attempts = 0
  private finished = 0
  private stopReason: StopReason
  // Stryker disable next-line StringLiteral: read only for a task left pending, and only stop() leaves one, setting it.
  private stopCause = ''
  private lastProgressAt = 0
  /** The slowest answer so far: the final poll starts early enough for an answer this slow to arrive in time. */
  private slowestAnswerMs: number | undefined
  /** While the hints can be relied on, running tasks are polled far less often. */
  private hintsHealthy = false
  /** When the last hint came: an answer to a request sent before it may already be out of date. */
  private lastHintAt = Number.NEGATIVE_INFINITY

  constructor(
    private readonly settings: PollSettings,
    private readonly deps: PollerDeps
  ) {
    this.clock = deps.clock ?? systemClock
    this.random = deps.random ?? Math.random
    this.shape = deps.shape ?? DEFAULT_SHAPE
    this.limiter = new RateLimiter(settings.maxRequestsPerSecond)
    this.waker = new Waker(this.clock)
    // One abort listener per request in flight; a large batch has many at once.
    // Stryker disable next-line CallExpression: Node's leak warning never reaches a Jest test; the 10,000-id end-to-end run checks stderr for it.
    setMaxListeners(0, this.inFlightAbort.signal)
    this.batch = settings.taskIds.length > 1
    this.outages = new OutageLog(deps.log, this.batch)
    this.tasks = settings.taskIds.map((taskId, index) => ({
      index,
      taskId,
      status: '',
      conclusion: undefined,
      attempts: 0,
      data: null,
      // Stryker disable next-line StringLiteral: read only once the task has finished, and finish() sets it.
      error: '',
      timeline: [],
      finishedAt: undefined,
      dueAt: 0,
      consecutiveFailures: 0,
      // Stryker disable next-line StringLiteral: used only in the timeout of a task that was polled, and every answer sets it.
      lastProblem: '',
      problems: new Map(),
      notFoundSince: undefined
    }))
  }

  async run(): Promise<WaitResult> {
    this.start = this.clock.now()
    this.lastProgressAt = this.start
    this.deadline = planDeadline(this.start, this.settings.timeoutMs, this.settings.requestTimeoutMs)
    for (const task of this.tasks) {
      task.dueAt = this.start
      this.due.push(task)
    }
    const onAbort = (): void => this.waker.wake()
    this.deps.signal.addEventListener('abort', onAbort)
    if (!this.deadline.checkOnce) this.startHints()
    try {
      await this.loop()
    } finally {
      this.deps.hints?.close()
      this.deps.signal.removeEventListener('abort', onAbort)
    }
    return this.result()
  }

  private startHints(): void {
    this.deps.hints?.start(
      { hint: () => this.onHint(), health: (healthy) => this.onHintsHealth(healthy) },
      {
        timeLeftMs: this.settings.timeoutMs,
        intervalMs: this.settings.intervalMs,
        maxIntervalMs: this.settings.maxIntervalMs,
        runningTasks: () => this.tasks.filter((task) => task.conclusion === undefined && task.status !== '').length
      }
    )
  }

  /** Some task may have finished: every task that waits for its next poll is due now (the rate limit still applies). */
  private onHint(): void {
    const now = this.clock.now()
    this.lastHintAt = now
    this.reschedule((task) => Math.min(task.dueAt, now))
  }

  /** Without hints to rely on, stretched waits shrink back to the schedule's. */
  private onHintsHealth(healthy: boolean): void {
    this.hintsHealthy = healthy
    if (healthy) return
    const now = this.clock.now()
    const delay = pollDelay(now - this.start, this.settings, this.random, this.shape)
    this.reschedule((task) => Math.min(task.dueAt, now + delay))
  }

  private reschedule(dueAt: (task: TaskState) => number): void {
    for (const task of this.due.drain()) {
      task.dueAt = dueAt(task)
      this.due.push(task)
    }
    this.waker.wake()
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.deps.signal.aborted) this.stopReason = 'cancelled'
      if (this.stopReason) break
      const now = this.clock.now()
      this.logProgress(now)
      const next = this.due.peek()
      if (!next) {
        if (this.inFlight === 0) return
        await this.waker.sleep(Number.POSITIVE_INFINITY)
        continue
      }
      // Judged from the due time, not from now, so a timer that fires late does not cost the final poll.
      const startAt = Math.max(next.dueAt, this.limiter.readyAt(now))
      if (!mayStartPoll(startAt, this.deadline, this.finalLead(), next.attempts === 0)) {
        // No poll fits before the deadline any more (the rate limit pushed it out): the task stays unfinished.
        this.due.pop()
        continue
      }
      if (startAt > now) {
        await this.waker.sleep(startAt - now)
        continue
      }
      this.due.pop()
      this.limiter.recordStart(now)
      this.inFlight++
      void this.poll(next, now).finally(() => {
        this.inFlight--
        this.waker.wake()
      })
    }
    this.inFlightAbort.abort()
    while (this.inFlight > 0) await this.waker.sleep(Number.POSITIVE_INFINITY)
  }

  private async poll(task: TaskState, startedAt: number): Promise<void> {
    task.attempts++
    this.attempts++
    const timeoutMs = requestTimeoutAt(startedAt, this.deadline)
    let outcome: StatusOutcome
    try {
      outcome = await this.deps.client.getStatus(task.taskId, { timeoutMs, signal: this.inFlightAbort.signal })
    } catch (error) {
      // The wait has stopped and aborted the request (clients then throw RequestAbortedError): not a problem to report.
      if (this.inFlightAbort.signal.aborted) return
      outcome = { kind: 'transient', reason: error instanceof Error ? error.message : String(error), throttled: false }
    }
    outcome = cleaned(outcome)
    const now = this.clock.now()
    this.outages.observe(outcome, now)
    this.slowestAnswerMs = Math.max(this.slowestAnswerMs ?? 0, now - startedAt)
    this.deps.log.debug(`${this.label(task)}attempt ${task.attempts} took ${Math.round(now - startedAt)}ms: ${describe(outcome)}`)
    if (outcome.budget) this.limiter.observeBudget(now, outcome.budget)
    switch (outcome.kind) {
      case 'status':
        return this.onStatus(task, outcome.status, outcome.data, startedAt, now)
      case 'transient':
        return this.onTransient(task, outcome, now)
      case 'not_found':
        return this.onNotFound(task, outcome.reason, outcome.hint, startedAt, now)
      case 'fatal':
        // A problem with the key or the quota ends every task's wait, whatever fail_fast says.
        if (outcome.scope === 'run') this.stop('fatal', outcome.reason)
        return this.finish(task, 'error', outcome.reason, now)
    }
  }

  private onStatus(task: TaskState, status: string, data: Record<string, unknown>, startedAt: number, now: number): void {
    task.consecutiveFailures = 0
    task.lastProblem = ''
    task.notFoundSince = undefined
    task.data = data
    const elapsed = now - this.start
    if (status !== task.status) {
      task.status = status
      task.timeline.push({ status, atMs: elapsed })
      this.deps.log.info(`${this.label(task)}${status} (${formatDuration(elapsed)})`)
    }
    const normalized = status.toLowerCase()
    if (this.settings.successStatuses.has(normalized)) return this.finish(task, 'success', '', now)
    if (this.settings.failureStatuses.has(normalized)) {
      return this.finish(task, 'failure', `Task ${task.taskId} ended with status '${status}'.`, now)
    }
    if (!KNOWN_RUNNING_STATUSES.has(normalized) && !this.warnedStatuses.has(normalized)) {
      this.warnedStatuses.add(normalized)
      this.deps.log.warning(
        `MemOS reported an unknown status '${status}' (task ${task.taskId}); still waiting. If it is final, add it to 'success_statuses' or 'failure_statuses'.`
      )
    }
    this.scheduleNext(task, now, this.runningDelay(elapsed, startedAt))
  }

  /** The wait after a running status: 0 when a hint came while the request was out, long while hints are reliable. */
  private runningDelay(elapsed: number, startedAt: number): number {
    if (startedAt < this.lastHintAt) return 0
    if (this.hintsHealthy) return hintedPollDelay(this.settings, this.random, this.shape)
    return pollDelay(elapsed, this.settings, this.random, this.shape)
  }

  private onTransient(task: TaskState, outcome: Extract<StatusOutcome, { kind: 'transient' }>, now: number): void {
    task.consecutiveFailures++
    task.lastProblem = outcome.reason
    const problem = problemOf(outcome)
    task.problems.set(problem, (task.problems.get(problem) ?? 0) + 1)
    // Throttling pauses every task, but never past the final poll.
    if (outcome.throttled) this.limiter.throttle(now, outcome.retryAfterMs, finalPollAt(this.deadline, this.finalLead()))
    const delay = retryDelay(now - this.start, task.consecutiveFailures, outcome.retryAfterMs, this.settings, this.random, this.shape)
    const at = this.scheduleNext(task, now, delay)
    const next = at === undefined ? 'no time left to retry' : `retrying in ${formatDuration(at - now)}`
    this.outages.problem(this.label(task) || 'MemOS status request: ', outcome, next, now)
  }

  private onNotFound(task: TaskState, reason: string, hint: string, startedAt: number, now: number): void {
    task.consecutiveFailures = 0
    task.notFoundSince ??= startedAt
    const graceEndsAt = task.notFoundSince + this.settings.notFoundGraceMs
    task.lastProblem = `not found (${reason})`
    if (now >= graceEndsAt) {
      const message = `Task ${task.taskId} was not found (${reason}) for ${formatDuration(now - task.notFoundSince)}. ${hint}`
      return this.finish(task, 'error', message, now)
    }
    this.deps.log.debug(`${this.label(task)}not found yet (${reason}); keeps trying until ${formatDuration(graceEndsAt - this.start)}`)
    const delay = pollDelay(now - this.start, this.settings, this.random, this.shape)
    this.scheduleNext(task, now, Math.min(delay, Math.max(0, graceEndsAt - now)))
  }

  /** Queues the task's next poll; returns its time, or undefined when the deadline leaves no poll. */
  private scheduleNext(task: TaskState, now: number, delayMs: number): number | undefined {
    const at = nextPollAt(now, delayMs, this.deadline, this.finalLead())
    if (at !== undefined) {
      task.dueAt = at
      this.due.push(task)
    }
    return at
  }

  private finalLead(): number {
    return finalPollLead(this.slowestAnswerMs, this.shape)
  }

  private finish(task: TaskState, conclusion: TaskConclusion, error: string, now: number): void {
    task.conclusion = conclusion
    task.error = error
    task.finishedAt = now
    this.finished++
    if (conclusion === 'error') this.deps.log.info(`${this.label(task)}error: ${error}`)
    if (conclusion !== 'success' && this.settings.failFast && this.batch && this.finished < this.tasks.length) {
      this.stop('fail_fast', `fail_fast stopped the wait after task ${task.taskId} ${conclusion === 'failure' ? 'failed' : 'errored'}`)
    }
  }

  /** Called only while a poll is in flight: its end wakes the loop, which then stops. */
  private stop(reason: Exclude<StopReason, undefined>, cause: string): void {
    if (this.stopReason) return
    this.stopReason = reason
    this.stopCause = cause
  }

  private logProgress(now: number): void {
    if (!this.batch || now - this.lastProgressAt < PROGRESS_EVERY_MS) return
    this.lastProgressAt = now
    const failed = this.tasks.filter((task) => task.conclusion !== undefined && task.conclusion !== 'success').length
    const outage = this.outages.progressNote(now)
    this.deps.log.info(`${this.finished}/${this.tasks.length} done, ${failed} failed, ${formatDuration(now - this.start)}${outage}`)
  }

  private label(task: TaskState): string {
    return this.batch ? `[${task.taskId}] ` : ''
  }

  private result(): WaitResult {
    const end = this.clock.now()
    const unfinishedConclusion: TaskConclusion = this.stopReason === 'cancelled' ? 'cancelled' : this.stopReason ? 'pending' : 'timed_out'
    const tasks = this.tasks.map((task): TaskResult => {
      const conclusion = task.conclusion ?? unfinishedConclusion
      const error = task.conclusion === undefined ? this.unfinishedError(task, conclusion) : task.error
      return {
        taskId: task.taskId,
        status: task.status,
        conclusion,
        attempts: task.attempts,
        durationMs: Math.round((task.finishedAt ?? end) - this.start),
        data: task.data,
        error,
        timeline: task.timeline
      }
    })
    return { tasks, stopReason: this.stopReason, attempts: this.attempts, durationMs: Math.round(end - this.start) }
  }

  private unfinishedError(task: TaskState, conclusion: TaskConclusion): string {
    const last = task.status ? `last status '${task.status}'` : 'no status reported yet'
    switch (conclusion) {
      case 'cancelled':
        return `Cancelled while waiting for task ${task.taskId} (${last}).`
      case 'pending':
        return `Not waited for: ${this.stopCause} (${last}).`
      default:
        return this.timedOutError(task, last)
    }
  }

  /** The last problem, and the failed attempts counted by kind; "never reached" when nothing ever answered. */
  private timedOutError(task: TaskState, last: string): string {
    const waited = `Timed out after ${formatDuration(this.settings.timeoutMs)} waiting for task ${task.taskId}`
    const lastProblem = task.lastProblem ? `; last attempt: ${task.lastProblem}` : ''
    const failures = [...task.problems.values()].reduce((sum, count) => sum + count, 0)
    const unreached = this.outages.neverReached()
    if (unreached && task.attempts > 0) {
      const attempts = `${task.attempts} ${task.attempts === 1 ? 'attempt' : 'attempts'}`
      return `${waited}: never reached ${unreached} in ${attempts} (${countsOf(task.problems)}${lastProblem}).`
    }
    if (failures === 0) return `${waited} (${last}).`
    return `${waited} (${last}${lastProblem}; ${failures} of ${task.attempts} attempts failed: ${countsOf(task.problems)}).`
  }
}

/** Text from the server or the network, made one short line before it reaches a log line or an output. */
function cleaned(outcome: StatusOutcome): StatusOutcome {
  if (outcome.kind === 'status') return { ...outcome, status: clip(sanitize(outcome.status), STATUS_MAX) }
  return { ...outcome, reason: clip(sanitize(outcome.reason), REASON_MAX) }
}

function describe(outcome: StatusOutcome): string {
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
