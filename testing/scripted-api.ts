/**
 * A MemOS API on the virtual clock, scripted by the test: `ScriptedApi` is a status source that answers each
 * request after a latency with what the script says for that task, time and attempt, rejects when the script
 * says so, and gives up on a request whose signal aborts, as the real clients do. `ScriptedHints` is a hint
 * source: hints and health at set times, or frames as the server's wait stream sends them. The poller's tests
 * and the benchmark's simulated rows both run on these.
 */
import { type HintListener, type HintPlan, type HintSource, type StatusSource } from '../src/wait/ports.js'
import { RequestAbortedError, type RequestOptions, type StatusOutcome } from '../src/shared/outcome.js'
import type { VirtualClock } from './virtual-clock.js'

/** One request as the API saw it. Times are in milliseconds from the API's creation (the start of the wait). */
export interface ScriptedRequest {
  taskId: string
  /** The task's n-th request, from 1. */
  attempt: number
  sentAt: number
  /** Half-way through the latency: the moment the server reads the task. */
  arrivesAt: number
  /** When the answer is due back. */
  answersAt: number
  /** The time the caller gave the request. */
  timeoutMs: number
  /** Whether the caller marked it urgent (a hint asked for it, or it is the task's first). */
  urgent: boolean
}

/** An outcome to answer with, or a value to reject with (as a client that throws would). */
export type Answer = StatusOutcome | { throws: unknown }

export type Script = (request: ScriptedRequest) => Answer

export interface ScriptedApiOptions {
  /** How long each answer takes: 50 ms unless given. */
  latencyMs?: number
  /** What a request rejects with when its signal aborts: RequestAbortedError, as the clients throw, unless given. */
  abortError?: () => unknown
  /** How long an aborted request takes to wind down: at once unless given. */
  abortTakesMs?: number
}

export class ScriptedApi implements StatusSource {
  /** Every request asked for, in order. */
  readonly sent: ScriptedRequest[] = []
  /** Requests sent and not yet settled. */
  open = 0
  private readonly startedAt: number
  private readonly latencyMs: number
  private readonly attempts = new Map<string, number>()

  constructor(
    private readonly clock: VirtualClock,
    private readonly script: Script,
    private readonly options: ScriptedApiOptions = {}
  ) {
    this.startedAt = clock.now()
    this.latencyMs = options.latencyMs ?? 50
  }

  getStatus(taskId: string, { timeoutMs, signal, urgent = false }: RequestOptions): Promise<StatusOutcome> {
    const sentAt = this.clock.now() - this.startedAt
    const attempt = (this.attempts.get(taskId) ?? 0) + 1
    this.attempts.set(taskId, attempt)
    const request = {
      taskId,
      attempt,
      sentAt,
      arrivesAt: sentAt + this.latencyMs / 2,
      answersAt: sentAt + this.latencyMs,
      timeoutMs,
      urgent
    }
    this.sent.push(request)
    // Asked with a signal that has already aborted, a client gives up at once, as the real ones do.
    if (signal.aborted) return Promise.reject(this.abortError())
    this.open++
    return new Promise<StatusOutcome>((resolve, reject) => {
      const onAbort = (): void => {
        cancelAnswer()
        const error = this.abortError()
        if (this.options.abortTakesMs === undefined) reject(error)
        else this.clock.setTimer(this.options.abortTakesMs, () => reject(error))
      }
      const cancelAnswer = this.clock.setTimer(this.latencyMs, () => {
        signal.removeEventListener('abort', onAbort)
        const answer = this.script(request)
        if ('throws' in answer) reject(answer.throws)
        else resolve(answer)
      })
      signal.addEventListener('abort', onAbort, { once: true })
    }).finally(() => this.open--)
  }

  /** When each request for this task was sent. */
  sentAt(taskId: string): number[] {
    return this.sent.filter((request) => request.taskId === taskId).map((request) => request.sentAt)
  }

  private abortError(): unknown {
    return this.options.abortError ? this.options.abortError() : new RequestAbortedError()
  }
}

/** A status answer, with the status as its `data` unless other data is given. */
export const status = (value: string, data: Record<string, unknown> = { status: value }): StatusOutcome => ({
  kind: 'status',
  status: value,
  data
})

/**
 * Each task runs until its time (milliseconds from the start; forever for a task not listed), then reports
 * `final`, as the server sees it when the request arrives.
 */
export function runningUntil(doneAt: Record<string, number>, { final = 'completed', running = 'running' } = {}): Script {
  return ({ taskId, arrivesAt }) => status(arrivesAt >= (doneAt[taskId] ?? Number.POSITIVE_INFINITY) ? final : running)
}

/** Answers every poller test meets: a busy server, one never reached, a task not found. */
export const unavailable: StatusOutcome = {
  kind: 'transient',
  reason: 'HTTP 503 (Service Unavailable)',
  problem: 'HTTP 503',
  throttled: false
}
export const refused: StatusOutcome = {
  kind: 'transient',
  reason: 'connection refused (ECONNREFUSED)',
  problem: 'connection refused',
  unreached: '127.0.0.1:9',
  throttled: false
}
export const notFound: StatusOutcome = { kind: 'not_found', reason: 'code 50131: Task not found', hint: "Check that 'task_id' is right." }

/** Hints given at set times, in milliseconds from the source's start: each says all finished, or how many. */
export interface GivenHints {
  hintsAt?: Array<number | [number, number | 'all']>
  healthyAt?: number
  unhealthyAt?: number
}

/**
 * The server's wait stream as the contract describes it: it connects after half a round trip, sends a frame
 * with the count of the user's active tasks at once and then every interval, each reaching the step half a
 * round trip later, and ends once no task is active. It hints as the real reader does: on a drop in the count,
 * saying by how much (all of them on the last frame, the server's `idle`).
 */
export interface StreamedHints {
  latencyMs: number
  /** How many of the user's tasks are active at this moment (milliseconds from the start). */
  activeTasks(atMs: number): number
}

export class ScriptedHints implements HintSource {
  /** What the poller handed over when it started the source; undefined until then. */
  plan: HintPlan | undefined
  closed = false
  /** How often the source was started: the connections a stream made. */
  connections = 0
  /** When the poller said a task still runs after a hint (`stillRunning`). */
  readonly stillRunningAt: number[] = []
  private startedAt = 0
  private readonly timers: Array<() => void> = []

  constructor(
    private readonly clock: VirtualClock,
    private readonly script: GivenHints | { stream: StreamedHints }
  ) {}

  start(listener: HintListener, plan: HintPlan): void {
    this.plan = plan
    this.connections++
    this.startedAt = this.clock.now()
    if ('stream' in this.script) return this.stream(listener, plan, this.script.stream)
    const { hintsAt = [], healthyAt, unhealthyAt } = this.script
    if (healthyAt !== undefined) this.at(healthyAt, () => listener.health(true))
    if (unhealthyAt !== undefined) this.at(unhealthyAt, () => listener.health(false))
    for (const given of hintsAt) {
      const [at, finished] = typeof given === 'number' ? [given, 'all' as const] : given
      this.at(at, () => listener.hint(finished))
    }
  }

  stillRunning(): void {
    this.stillRunningAt.push(this.clock.now())
  }

  close(): void {
    this.closed = true
    for (const cancel of this.timers.splice(0)) cancel()
  }

  private stream(listener: HintListener, plan: HintPlan, { latencyMs, activeTasks }: StreamedHints): void {
    let previous: number | undefined
    const frame = (): void => {
      const active = activeTasks(this.clock.now() - this.startedAt - latencyMs / 2)
      if (previous === undefined) listener.health(true)
      const baseline = previous ?? plan.runningTasks()
      if (active < baseline) listener.hint(active === 0 ? 'all' : baseline - active)
      previous = active
      if (active > 0) this.timers.push(this.clock.setTimer(plan.intervalMs, frame))
    }
    this.at(latencyMs, frame)
  }

  private at(ms: number, callback: () => void): void {
    this.timers.push(this.clock.setTimer(ms, callback))
  }
}
