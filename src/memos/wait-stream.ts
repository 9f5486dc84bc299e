import { type Clock, systemClock } from '../shared/clock.js'
import type { Log } from '../shared/log.js'
import { clip, errorMessage, QUOTE_MAX, sanitize } from '../shared/text.js'
import type { HintListener, HintPlan, HintSource } from '../wait/ports.js'
import { NO_RESPONSE } from '../http/network-errors.js'
import type { GatedTransport } from './gated-transport.js'
import { SseParser } from './sse.js'
import { bearerAuthorization } from './response-parts.js'

/**
 * The open-source server's wait stream (`GET {base_url}/scheduler/wait/stream`), as hints for the poller.
 * Every `poll_interval` the server reports how many of the user's tasks are active; a drop of `d` means `d` of
 * that user's tasks finished (not which, and not necessarily the step's), so the poller looks. One stream per
 * wait, opened through the step's request gate like any request. When the stream fails in any way, the poller
 * falls back to its schedule, and the stream is reopened with backoff while time is left; a failing stream never
 * fails the step. After `idle` the server ends the stream: it is reopened only once a poll shows a task still
 * running, and later each idle ending in a row waits longer.
 * Past 200 lines, because one connection's life (open, headers, frames, idle, fault, backoff, close) shares its
 * timers and its health: split, each part would need the others' timers to cancel them in close(). The byte
 * parser (sse.ts) and the request's budget (gated-transport.ts) live apart.
 */

export interface WaitStreamOptions {
  baseUrl: string
  userId: string
  /** '' when no key is sent. */
  apiKey: string
  transport: GatedTransport
  log: Log
  clock?: Clock
}

/** No frame for this many intervals: the stream is stalled (a buffering proxy, a hung server). */
const STALL_INTERVALS = 3
/**
 * A server flushes the stream's headers at once; a proxy that buffers event streams holds them back with the
 * frames. So the headers get as long as a frame would (three intervals), but never under 2 s, which a TLS
 * handshake through a proxy on a slow link can take, nor over the 10 s that any sane server answers within.
 */
const HEADERS_MIN_MS = 2000
const HEADERS_MAX_MS = 10_000
/**
 * An `idle` at once while the step's tasks still run says the server does not count them (tracking lags, or
 * another instance holds them): each such ending in a row makes the wait before reopening four times longer,
 * from one interval up to the hinted poll's wait, so that a stream that cannot help costs a few requests.
 */
const IDLE_BACKOFF_FACTOR = 4

const BUFFERING_ADVICE =
  'A proxy in front of the server probably buffers event streams. For nginx, turn buffering off on the location of ' +
  '/scheduler/wait/stream (proxy_buffering off, or have the server send X-Accel-Buffering: no), with proxy_http_version 1.1 ' +
  "and a long proxy_read_timeout; or set 'stream: false'. Polling carries on meanwhile."

interface Frame {
  status?: unknown
  active_tasks?: unknown
}

/** How a connection ended: `idle` (the server said every task is done), or a fault; `silent` when nothing came. */
type Ending = { kind: 'idle' } | { kind: 'fault'; reason: string; silent?: boolean }

/** What one frame means: the active count (to compare the next frame with), the end of the stream, or nothing. */
type Verdict = { active: number } | { end: Ending } | undefined

export class WaitStream implements HintSource {
  private readonly abort = new AbortController()
  private readonly clock: Clock
  private listener: HintListener | undefined
  private plan: HintPlan | undefined
  private endsAt = 0
  private healthy = false
  private warned = false
  private adviceGiven = false
  /** Faults in a row, and idle endings in a row: each has its own backoff. */
  private failures = 0
  private idleEndings = 0
  /** After an idle ending: reopen only once a poll shows a task still running. */
  private awaitingRunning = false
  private cancelRetry: (() => void) | undefined
  private cancelStall: (() => void) | undefined
  private connection: AbortController | undefined

  constructor(private readonly options: WaitStreamOptions) {
    this.clock = options.clock ?? systemClock
  }

  start(listener: HintListener, plan: HintPlan): void {
    this.listener = listener
    this.plan = plan
    this.endsAt = this.clock.now() + plan.timeLeftMs
    void this.connect()
  }

  stillRunning(): void {
    if (!this.awaitingRunning) return
    this.awaitingRunning = false
    const plan = this.plan as HintPlan
    const waitMs = plan.intervalMs * IDLE_BACKOFF_FACTOR ** Math.min(this.idleEndings - 1, 20)
    this.retryIn(Math.min(waitMs, plan.hintedWaitMs))
  }

  close(): void {
    this.abort.abort()
    this.connection?.abort()
    // The stall timer goes with the connection (connect() cancels it as the stream ends).
    this.cancelRetry?.()
  }

  private async connect(): Promise<void> {
    const plan = this.plan as HintPlan
    const timeLeftMs = this.endsAt - this.clock.now()
    // After close() no retry is left to call this, and the aborted signal would stop the request unsent.
    if (timeLeftMs <= plan.intervalMs) return
    const ending = await this.read(plan, timeLeftMs)
    if (this.abort.signal.aborted) return
    if (ending.kind === 'idle') return this.endedIdle()
    this.unhealthy(ending)
  }

  /** One connection, from its request to its end. */
  private async read(plan: HintPlan, timeLeftMs: number): Promise<Ending> {
    const url = new URL(`${this.options.baseUrl}/scheduler/wait/stream`)
    url.searchParams.set('user_name', this.options.userId)
    url.searchParams.set('timeout_seconds', String(Math.ceil(timeLeftMs / 1000)))
    url.searchParams.set('poll_interval', String(plan.intervalMs / 1000))
    const headers = { Accept: 'text/event-stream', ...bearerAuthorization(this.options.apiKey) }
    const connection = new AbortController()
    this.connection = connection
    const signal = AbortSignal.any([this.abort.signal, connection.signal])
    const timeoutMs = Math.min(Math.max(STALL_INTERVALS * plan.intervalMs + 200, HEADERS_MIN_MS), HEADERS_MAX_MS)

    let ending: Ending = { kind: 'fault', reason: 'the server closed the stream before the deadline' }
    try {
      const answer = await this.options.transport.openStream({ method: 'GET', url, headers }, { timeoutMs, signal })
      if (answer.kind === 'failed') {
        const { outcome } = answer
        const silent = outcome.kind === 'transient' && outcome.problem === NO_RESPONSE
        return { kind: 'fault', reason: silent ? `no headers within ${timeoutMs}ms` : outcome.reason, silent }
      }
      const type = String(answer.headers['content-type'] ?? '')
      if (answer.httpStatus !== 200 || !type.startsWith('text/event-stream')) {
        answer.body.destroy()
        const missing = answer.httpStatus === 404 || answer.httpStatus === 405 ? ' (a server without the route)' : ''
        return { kind: 'fault', reason: `HTTP ${answer.httpStatus}${type ? `, ${type.split(';')[0]}` : ''}${missing}` }
      }
      // The transport hands the body over: ending this connection (close, a stall, a frame that ends it) ends the body.
      const body = answer.body
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts only once, and each connection has its own.
      connection.signal.addEventListener('abort', () => body.destroy(), { once: true })
      let previous: number | undefined
      const stalled = (): void => {
        ending = { kind: 'fault', reason: `no frame for ${STALL_INTERVALS} intervals`, silent: true }
      }
      const parser = new SseParser((data) => {
        this.watchForStall(connection, stalled)
        const verdict = this.onFrame(data, previous)
        if (verdict === undefined) return
        if ('active' in verdict) {
          previous = verdict.active
          return
        }
        ending = verdict.end
        connection.abort()
      })
      this.watchForStall(connection, stalled)
      for await (const chunk of body) {
        const overLimit = parser.push(chunk as Buffer)
        if (overLimit) {
          ending = { kind: 'fault', reason: `the server sent a frame over ${overLimit.limitBytes / 1024} KiB` }
          connection.abort()
        }
      }
    } catch (error) {
      // When this connection was ended on purpose (close() ends it too, a stall, a frame that ends it), `ending`
      // already says why; any other error is the reason.
      if (!connection.signal.aborted) ending = { kind: 'fault', reason: errorMessage(error) }
    } finally {
      this.cancelStall?.()
    }
    return ending
  }

  private onFrame(data: string, previous: number | undefined): Verdict {
    let parsed: unknown
    try {
      parsed = JSON.parse(data)
    } catch {
      return { end: { kind: 'fault', reason: `a frame that is not JSON: '${clip(sanitize(data), QUOTE_MAX)}'` } }
    }
    // Like a frame of an unknown status, JSON that is not an object says nothing of the tasks.
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const frame = parsed as Frame
    const listener = this.listener as HintListener
    if (frame.status === 'timeout') return { end: { kind: 'fault', reason: 'the server timed the stream out' } }
    if (frame.status === 'error') return { end: { kind: 'fault', reason: 'the server reported an error in the stream' } }
    if (frame.status === 'idle') {
      listener.hint('all')
      return { end: { kind: 'idle' } }
    }
    if (frame.status !== 'running' || typeof frame.active_tasks !== 'number') return undefined
    this.markHealthy()
    const active = frame.active_tasks
    // The first frame has nothing to compare with but what the step last saw: fewer active tasks than the
    // step's own running ones means some finished before the stream opened.
    const baseline = previous ?? (this.plan as HintPlan).runningTasks()
    if (active < baseline) listener.hint(baseline - active)
    return { active }
  }

  private markHealthy(): void {
    this.failures = 0
    this.idleEndings = 0
    if (this.healthy) return
    this.healthy = true
    this.options.log.debug('The wait stream is up: the server will say when a task finishes.')
    this.listener?.health(true)
  }

  /** Never after close(): connect() returns first, and a request it starts then ends before any answer. */
  private unhealthy(ending: Extract<Ending, { kind: 'fault' }>): void {
    this.setUnhealthy()
    this.failures++
    const plan = this.plan as HintPlan
    const retryMs = Math.min(plan.intervalMs * 2 ** Math.min(this.failures - 1, 20), plan.maxIntervalMs)
    const advice = ending.silent && !this.adviceGiven ? ` ${BUFFERING_ADVICE}` : ''
    this.adviceGiven ||= advice !== ''
    const message = `The server's wait stream is not usable (${ending.reason}); polling on the schedule instead, and trying the stream again in ${Math.round(retryMs / 100) / 10}s.${advice}`
    if (this.warned && !advice) this.options.log.debug(message)
    else this.options.log.info(message)
    this.warned = true
    this.retryIn(retryMs)
  }

  /** After `idle` the server ends the stream; the step's tasks may still be unfinished (tracking lags, or not started). */
  private endedIdle(): void {
    this.setUnhealthy()
    this.idleEndings++
    this.awaitingRunning = true
  }

  private setUnhealthy(): void {
    if (this.healthy) this.listener?.health(false)
    this.healthy = false
  }

  private retryIn(ms: number): void {
    this.cancelRetry = this.clock.setTimer(ms, () => void this.connect())
  }

  private watchForStall(connection: AbortController, onStall: () => void): void {
    this.cancelStall?.()
    const plan = this.plan as HintPlan
    this.cancelStall = this.clock.setTimer(STALL_INTERVALS * plan.intervalMs + 200, () => {
      onStall()
      connection.abort()
    })
  }
}
