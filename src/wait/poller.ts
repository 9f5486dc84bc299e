/**
 * The wait: polls every task until each has finished, the deadline passes, or the run is cancelled. This file
 * is the dispatch loop and what each kind of answer does next (log, schedule, finish); one task's record is in
 * task-state.ts, the timing in schedule.ts, the request budget in request-gate.ts, the hints in hint-rounds.ts,
 * how an early stop ends the others in wait-ending.ts, and the results and their wording in results.ts. It is
 * longer than most files here because the loop and its reactions share the queue, the gate and the deadline, and
 * reading them side by side is what shows that every path schedules, finishes or stops its task.
 */
import { setMaxListeners } from 'node:events'
import type { Settings } from '../settings/settings.js'
import { type Clock, systemClock } from '../shared/clock.js'
import { formatDuration } from '../shared/duration.js'
import type { Log } from '../shared/log.js'
import { errorMessage } from '../shared/text.js'
import { MinHeap } from './min-heap.js'
import { cleaned, described } from './outcome-text.js'
import { OutageLog } from './outage-log.js'
import type { HintSource, StatusSource } from './ports.js'
import type { StatusOutcome } from '../shared/outcome.js'
import { HintRounds } from './hint-rounds.js'
import { gatedSource, RequestGate } from './request-gate.js'
import {
  type AnswerData,
  type DataKeeper,
  rateLimitText,
  reasonText,
  type TaskConclusion,
  type TaskReason,
  type WaitResult
} from './results.js'
import {
  DEFAULT_SHAPE,
  type Deadline,
  finalPollAt,
  finalPollLead,
  HINTED_WAIT_FACTOR,
  mayStartPoll,
  nextPollAt,
  planDeadline,
  pollDelay,
  requestTimeoutAt,
  retryDelay,
  type ScheduleShape
} from './schedule.js'
import { ProgressLog } from './progress-log.js'
import { meaningOf, TaskState } from './task-state.js'
import { WaitEnding } from './wait-ending.js'
import { Waker } from './waker.js'

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

export interface PollerDeps<Data = AnswerData> {
  client: StatusSource
  log: Log
  /** Aborted on SIGINT/SIGTERM: the sleep and the requests in flight end at once. */
  signal: AbortSignal
  clock?: Clock
  random?: () => number
  shape?: ScheduleShape
  /** Signals to look now (the self-hosted wait stream); without them the schedule alone decides. */
  hints?: HintSource
  /**
   * The gate that `client`'s requests already pass (the connection's, shared with the wait stream). Without
   * one, the poller puts a gate of its own, for `max_requests_per_second`, in front of the client.
   */
  gate?: RequestGate
  /** What to keep of each answer's data; without it, the data object itself. */
  keep?: DataKeeper<Data>
}

type Transient = Extract<StatusOutcome, { kind: 'transient' }>

/** Polls every task until each has finished, the deadline passes, or the run is cancelled. */
export function waitForTasks(settings: PollSettings, deps: PollerDeps): Promise<WaitResult>
export function waitForTasks<Data>(settings: PollSettings, deps: PollerDeps<Data> & { keep: DataKeeper<Data> }): Promise<WaitResult<Data>>
export function waitForTasks<Data>(settings: PollSettings, deps: PollerDeps<Data>): Promise<WaitResult<Data> | WaitResult> {
  return deps.keep ? new Poller(settings, deps, deps.keep).run() : new Poller(settings, deps, (data: AnswerData) => data).run()
}

class Poller<Data> {
  private readonly clock: Clock
  private readonly random: () => number
  private readonly shape: ScheduleShape
  private readonly gate: RequestGate
  private readonly client: StatusSource
  private readonly rounds: HintRounds
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
  /** What `keep` returned for each task's last answer, by input index. */
  private readonly kept: Array<Data | null>
  private readonly warnedStatuses = new Set<string>()
  private readonly outages: OutageLog
  private readonly progress: ProgressLog
  private readonly ending = new WaitEnding()
  private readonly batch: boolean
  private start = 0
  private deadline!: Deadline
  private inFlight = 0
  private attempts = 0
  private finished = 0
  /** The slowest answer so far: the final poll starts early enough for an answer this slow to arrive in time. */
  private slowestAnswerMs: number | undefined
  /** A throw while handling an answer (a bug): the wait stops, and run() rethrows it for the step's one error path. */
  private crash: { error: unknown } | undefined

  constructor(
    private readonly settings: PollSettings,
    private readonly deps: Omit<PollerDeps<unknown>, 'keep'>,
    private readonly keep: DataKeeper<Data>
  ) {
    this.clock = deps.clock ?? systemClock
    this.random = deps.random ?? Math.random
    this.shape = deps.shape ?? DEFAULT_SHAPE
    this.gate = deps.gate ?? new RequestGate(settings.maxRequestsPerSecond, this.clock)
    this.client = deps.gate ? deps.client : gatedSource(deps.client, this.gate)
    this.rounds = new HintRounds(this, settings, this.random, this.shape)
    this.waker = new Waker(this.clock)
    // One abort listener per request in flight; a large batch has many at once.
    // Stryker disable next-line CallExpression: Node's leak warning never reaches a Jest test; the 10,000-id end-to-end run checks stderr for it.
    setMaxListeners(0, this.inFlightAbort.signal)
    this.batch = settings.taskIds.length > 1
    this.outages = new OutageLog(deps.log, this.batch)
    this.tasks = settings.taskIds.map((taskId, index) => new TaskState(index, taskId))
    this.progress = new ProgressLog(deps.log, this.tasks, this.outages)
    this.kept = settings.taskIds.map(() => null)
  }

  async run(): Promise<WaitResult<Data>> {
    this.start = this.clock.now()
    this.progress.start(this.start)
    this.deadline = planDeadline(this.start, this.settings.timeoutMs, this.settings.requestTimeoutMs)
    this.gate.planFor({
      finalPollAt: () => finalPollAt(this.deadline, this.finalLead()),
      unfinished: () => this.tasks.length - this.finished
    })
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
    if (this.crash) throw this.crash.error
    return this.result()
  }

  private startHints(): void {
    this.deps.hints?.start(
      {
        hint: (finished) => this.rounds.hint(finished, this.clock.now()),
        health: (healthy) => this.rounds.health(healthy, this.clock.now(), this.clock.now() - this.start)
      },
      {
        timeLeftMs: this.settings.timeoutMs,
        intervalMs: this.settings.intervalMs,
        maxIntervalMs: this.settings.maxIntervalMs,
        hintedWaitMs: this.settings.maxIntervalMs * HINTED_WAIT_FACTOR,
        runningTasks: () => this.tasks.filter((task) => task.running).length
      }
    )
  }

  /** Every queued task gets a new due time (the hints' rounds change them). */
  reschedule(dueAt: (task: TaskState) => number): void {
    for (const task of this.due.drain()) {
      task.dueAt = dueAt(task)
      this.due.push(task)
    }
    this.waker.wake()
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.deps.signal.aborted) this.ending.cancel()
      if (this.ending.reason || this.crash) break
      const now = this.clock.now()
      this.progress.tick(now, this.start)
      const next = this.due.peek()
      if (!next) {
        if (this.inFlight === 0) return
        await this.waker.sleep(Number.POSITIVE_INFINITY)
        continue
      }
      const serverAllowsAt = this.gate.serverAllowsAt(now)
      if (!this.deadline.checkOnce && serverAllowsAt >= this.deadline.endsAt) {
        // The server lets no request through before the deadline: waiting would only run out the clock.
        if (this.inFlight > 0) await this.waker.sleep(Number.POSITIVE_INFINITY)
        else this.stopForRateLimit(serverAllowsAt, now)
        continue
      }
      // A task's first poll tells what the step waits for; a hint's poll, what just changed: neither is spread out.
      const urgent = next.hintedFrom !== undefined || next.attempts === 0
      // Judged from the due time, not from now, so a timer that fires late does not cost the final poll.
      const startAt = Math.max(next.dueAt, this.gate.readyAt(now, urgent ? 'urgent' : 'scheduled'))
      // A task's first poll, and a final poll the server held back, may start until the deadline itself.
      const untilDeadline = next.attempts === 0 || serverAllowsAt >= startAt
      if (!mayStartPoll(startAt, this.deadline, this.finalLead(), untilDeadline)) {
        // No poll fits before the deadline any more (the rate limit pushed it out): the task stays unfinished.
        this.due.pop()
        continue
      }
      if (startAt > now) {
        await this.waker.sleep(startAt - now)
        continue
      }
      if (!this.rounds.mayStart(next)) {
        // The round has as many polls out as it expects finished tasks: their answers wake the loop.
        await this.waker.sleep(Number.POSITIVE_INFINITY)
        continue
      }
      this.due.pop()
      const probe = this.rounds.dispatched(next)
      this.inFlight++
      void this.poll(next, now, urgent)
        .catch((error: unknown) => {
          this.crash ??= { error }
        })
        .finally(() => {
          if (probe) this.rounds.answered()
          this.inFlight--
          this.waker.wake()
        })
    }
    this.inFlightAbort.abort()
    while (this.inFlight > 0) await this.waker.sleep(Number.POSITIVE_INFINITY)
  }

  private async poll(task: TaskState, startedAt: number, urgent: boolean): Promise<void> {
    task.attempts++
    this.attempts++
    const timeoutMs = requestTimeoutAt(startedAt, this.deadline)
    let outcome: StatusOutcome
    try {
      outcome = await this.client.getStatus(task.taskId, { timeoutMs, signal: this.inFlightAbort.signal, urgent })
    } catch (error) {
      // The wait has stopped and aborted the request (clients then throw RequestAbortedError): not a problem to report.
      if (this.inFlightAbort.signal.aborted) return
      // A client returns its failures as outcomes: what it throws is a bug, each told apart by its message.
      const message = errorMessage(error)
      outcome = { kind: 'transient', reason: message, problem: message, throttled: false }
    }
    outcome = cleaned(outcome)
    const now = this.clock.now()
    this.outages.observe(outcome, now)
    this.slowestAnswerMs = Math.max(this.slowestAnswerMs ?? 0, now - startedAt)
    this.deps.log.debug(`${this.label(task)}attempt ${task.attempts} took ${Math.round(now - startedAt)}ms: ${described(outcome)}`)
    switch (outcome.kind) {
      case 'status':
        return this.onStatus(task, outcome.status, outcome.data, startedAt, now)
      case 'transient':
        return this.onTransient(task, outcome, now)
      case 'not_found':
        return this.onNotFound(task, outcome.reason, outcome.hint, startedAt, now)
      case 'fatal':
        // A problem with the key or the quota ends every task's wait, whatever fail_fast says.
        if (outcome.scope === 'run') this.ending.stop('fatal', { kind: 'fatal', problem: outcome.reason })
        return this.finish(task, 'error', { kind: 'error', problem: outcome.reason }, now)
    }
  }

  private onStatus(task: TaskState, status: string, data: AnswerData, startedAt: number, now: number): void {
    const elapsed = now - this.start
    const meaning = meaningOf(status, this.settings)
    const ending = meaning === 'success' || meaning === 'failure' ? meaning : undefined
    this.kept[task.index] = this.keep(data, { index: task.index, ending })
    if (task.recordStatus(status, elapsed)) this.deps.log.info(`${this.label(task)}${status} (${formatDuration(elapsed)})`)
    if (meaning === 'success') return this.finish(task, 'success', undefined, now)
    if (meaning === 'failure') return this.finish(task, 'failure', { kind: 'failed', status }, now)
    const normalized = status.toLowerCase()
    if (meaning === 'unknown' && !this.warnedStatuses.has(normalized)) {
      this.warnedStatuses.add(normalized)
      this.deps.log.warning(
        `MemOS reported an unknown status '${status}' (task ${task.taskId}); still waiting. If it is final, add it to 'success_statuses' or 'failure_statuses'.`
      )
    }
    if (this.rounds.answersHint(startedAt)) this.deps.hints?.stillRunning()
    const delay = this.rounds.runningDelay(elapsed)
    if (!this.rounds.stale(startedAt)) {
      this.scheduleNext(task, now, delay)
      return
    }
    const scheduledAt = nextPollAt(now, delay, this.deadline, this.finalLead())
    if (scheduledAt !== undefined && this.scheduleNext(task, now, 0) !== undefined) this.rounds.repoll(task, scheduledAt)
  }

  private onTransient(task: TaskState, outcome: Transient, now: number): void {
    task.recordProblem(outcome.problem, outcome.reason)
    const delay = retryDelay(now - this.start, task.consecutiveFailures, outcome.retryAfterMs, this.settings, this.random, this.shape)
    const at = this.scheduleNext(task, now, delay)
    const next = at === undefined ? 'no time left to retry' : `retrying in ${formatDuration(at - now)}`
    this.outages.problem(this.label(task) || 'MemOS status request: ', outcome, next, now)
  }

  private onNotFound(task: TaskState, problem: string, hint: string, startedAt: number, now: number): void {
    const graceEndsAt = task.recordNotFound(problem, startedAt, this.settings.notFoundGraceMs)
    if (now >= graceEndsAt) {
      return this.finish(task, 'error', { kind: 'not_found', problem, forMs: now - (task.notFoundSince as number), hint }, now)
    }
    this.deps.log.debug(`${this.label(task)}not found yet (${problem}); keeps trying until ${formatDuration(graceEndsAt - this.start)}`)
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

  private finish(task: TaskState, conclusion: TaskConclusion, reason: TaskReason | undefined, now: number): void {
    task.finish(conclusion, reason, now)
    this.finished++
    // What the wait stream's count can show: a task that reached a final status.
    if (conclusion === 'success' || conclusion === 'failure') this.rounds.finished()
    if (conclusion === 'error' && reason) this.deps.log.info(`${this.label(task)}error: ${reasonText(task.taskId, reason)}`)
    if (conclusion !== 'success' && this.settings.failFast && this.batch && this.finished < this.tasks.length) {
      this.ending.stop('fail_fast', { kind: 'fail_fast', taskId: task.taskId, failed: conclusion === 'failure' })
    }
  }

  /** The wait ends early: the server's rate limit lets nothing through before the deadline. */
  private stopForRateLimit(allowsAt: number, now: number): void {
    this.ending.rateLimited(allowsAt)
    this.deps.log.info(
      `${rateLimitText(allowsAt - this.start, this.settings.timeoutMs)}; stopping after ${formatDuration(now - this.start)}.`
    )
  }

  private label(task: TaskState): string {
    return this.progress.label(task)
  }

  private result(): WaitResult<Data> {
    const end = this.clock.now()
    const context = { start: this.start, now: end, timeoutMs: this.settings.timeoutMs, unreached: this.outages.neverReached() }
    const unfinished = (task: TaskState) => this.ending.unfinished(task, context)
    const tasks = this.tasks.map((task) => task.result(this.start, end, unfinished, this.kept[task.index] ?? null))
    return { tasks, stopReason: this.ending.reason, attempts: this.attempts, durationMs: Math.round(end - this.start) }
  }
}
