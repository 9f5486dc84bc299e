import type { HttpTransport } from '../http/transport.js'
import { type Clock, systemClock } from '../shared/clock.js'
import type { Log } from '../shared/log.js'
import { clip, errorMessage, QUOTE_MAX, sanitize } from '../shared/text.js'
import type { HintListener, HintPlan, HintSource } from '../wait/ports.js'
import { SseParser } from './sse.js'

/**
 * The open-source server's wait stream (`GET {base_url}/scheduler/wait/stream`), as hints for the poller.
 * Every `poll_interval` the server reports how many of the user's tasks are active; a drop, or `idle`, means
 * some task of that user finished (not which, and not necessarily one of the step's), so the poller looks.
 * One stream per wait. When the stream fails in any way, the poller falls back to its schedule, and the
 * stream is reopened with backoff while time is left; a failing stream never fails the step.
 */

export interface WaitStreamOptions {
  baseUrl: string
  userId: string
  /** '' when no key is sent. */
  apiKey: string
  transport: HttpTransport
  log: Log
  clock?: Clock
}

/** No frame for this many intervals: the stream is stalled (a buffering proxy, a hung server). */
const STALL_INTERVALS = 3
/** The stream must answer with its headers within this long. */
const CONNECT_TIMEOUT_MS = 10_000

interface Frame {
  status?: unknown
  active_tasks?: unknown
}

export class WaitStream implements HintSource {
  private readonly abort = new AbortController()
  private listener: HintListener | undefined
  private plan: HintPlan | undefined
  private endsAt = 0
  private healthy = false
  private warned = false
  private failures = 0
  private readonly clock: Clock
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
    const url = new URL(`${this.options.baseUrl}/scheduler/wait/stream`)
    url.searchParams.set('user_name', this.options.userId)
    url.searchParams.set('timeout_seconds', String(Math.ceil(timeLeftMs / 1000)))
    url.searchParams.set('poll_interval', String(plan.intervalMs / 1000))
    const headers: Record<string, string> = { Accept: 'text/event-stream' }
    if (this.options.apiKey) headers.Authorization = `Bearer ${this.options.apiKey}`
    const connection = new AbortController()
    this.connection = connection
    const signal = AbortSignal.any([this.abort.signal, connection.signal])

    let ending = 'the server closed the stream before the deadline'
    try {
      const answer = await this.options.transport.openStream({ method: 'GET', url, headers }, { timeoutMs: CONNECT_TIMEOUT_MS, signal })
      if (answer.kind === 'failed') return this.unhealthy(answer.outcome.kind === 'status' ? 'no answer' : answer.outcome.reason)
      const type = String(answer.headers['content-type'] ?? '')
      if (answer.httpStatus !== 200 || !type.startsWith('text/event-stream')) {
        answer.body.destroy()
        const missing = answer.httpStatus === 404 || answer.httpStatus === 405 ? ' (a server without the route)' : ''
        return this.unhealthy(`HTTP ${answer.httpStatus}${type ? `, ${type.split(';')[0]}` : ''}${missing}`)
      }
      // The transport hands the body over: ending this connection (close, a stall, a frame that ends it) ends the body.
      const body = answer.body
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts only once, and each connection has its own.
      connection.signal.addEventListener('abort', () => body.destroy(), { once: true })
      let previous: number | undefined
      const stalled = (): void => {
        ending = `no frame for ${STALL_INTERVALS} intervals`
      }
      const parser = new SseParser((data) => {
        this.watchForStall(connection, stalled)
        const verdict = this.onFrame(data, previous)
        if (typeof verdict === 'number') previous = verdict
        else if (verdict) {
          ending = verdict
          connection.abort()
        }
      })
      this.watchForStall(connection, stalled)
      for await (const chunk of body) {
        const overLimit = parser.push(chunk as Buffer)
        if (overLimit) {
          ending = `the server sent a frame over ${overLimit.limitBytes / 1024} KiB`
          connection.abort()
        }
      }
    } catch (error) {
      // When this connection was ended on purpose (close() ends it too, a stall, a frame that ends it), `ending`
      // already says why; any other error is the reason.
      if (!connection.signal.aborted) ending = errorMessage(error)
    } finally {
      this.cancelStall?.()
    }
    if (this.abort.signal.aborted) return
    if (ending === 'idle') return this.reopenAfterIdle()
    this.unhealthy(ending)
  }

  /**
   * One frame: a number (the active count, to compare the next frame with), 'idle' (the server ends the
   * stream), a reason the stream is unhealthy, or undefined for a frame to ignore.
   */
  private onFrame(data: string, previous: number | undefined): number | string | undefined {
    let frame: Frame
    try {
      frame = JSON.parse(data) as Frame
    } catch {
      return `a frame that is not JSON: '${clip(sanitize(data), QUOTE_MAX)}'`
    }
    const listener = this.listener as HintListener
    if (frame.status === 'timeout') return 'the server timed the stream out'
    if (frame.status === 'error') return 'the server reported an error in the stream'
    if (frame.status === 'idle') {
      this.markHealthy()
      listener.hint()
      return 'idle'
    }
    if (frame.status !== 'running' || typeof frame.active_tasks !== 'number') return undefined
    this.markHealthy()
    const active = frame.active_tasks
    // The first frame has nothing to compare with but what the step last saw: fewer active tasks than the
    // step's own running ones means one finished before the stream opened.
    const baseline = previous ?? (this.plan as HintPlan).runningTasks()
    if (active < baseline) listener.hint()
    return active
  }

  private markHealthy(): void {
    this.failures = 0
    if (this.healthy) return
    this.healthy = true
    this.options.log.debug('The wait stream is up: the server will say when a task finishes.')
    this.listener?.health(true)
  }

  /** Never after close(): connect() returns first, and a request it starts then ends before any answer. */
  private unhealthy(reason: string): void {
    if (this.healthy) this.listener?.health(false)
    this.healthy = false
    this.failures++
    const retryMs = this.backoffMs()
    const message = `The server's wait stream is not usable (${reason}); polling on the schedule instead, and trying the stream again in ${Math.round(retryMs / 100) / 10}s.`
    if (this.warned) this.options.log.debug(message)
    else this.options.log.info(message)
    this.warned = true
    this.cancelRetry = this.clock.setTimer(retryMs, () => void this.connect())
  }

  /** After `idle` the server ends the stream; the step's tasks may still be unfinished (tracking off, or not started). */
  private reopenAfterIdle(): void {
    this.failures++
    this.cancelRetry = this.clock.setTimer(this.backoffMs(), () => void this.connect())
  }

  private backoffMs(): number {
    const plan = this.plan as HintPlan
    return Math.min(plan.intervalMs * 2 ** Math.min(this.failures - 1, 20), plan.maxIntervalMs)
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
