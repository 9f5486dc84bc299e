/**
 * A MemOS API simulator on loopback, faithful to the contract in docs/memos-api.md, in either of its two forms:
 * - `cloud`: POST /get/status with `Authorization: Token <key>` and `{code, message, data}` bodies;
 * - `self-hosted`: the open-source server's GET /product/scheduler/status?user_id=…&task_id=…, no key, a list in
 *   `data`, HTTP 404 for an unknown task, FastAPI's `{"detail":…}` for a missing route or a wrong method.
 * It also produces the faults a real network and gateway produce. Tests, the demo, the benchmark and the CI
 * workflow all use it.
 */
import { randomUUID } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** The user a self-hosted task belongs to unless its spec names another. */
export const DEFAULT_USER_ID = 'ci-user'

export interface TaskSpec {
  /** Time from creation until the final status. */
  durationMs: number
  /** Self-hosted: the user the task was added for. */
  userId?: string
  /**
   * Self-hosted: the task's items, each with its own duration and final status. The task's status is
   * aggregated from them as the server does. Without items the task is one item.
   */
  items?: Array<{ durationMs: number; finalStatus?: string }>
  /** The final status: `completed` unless given. */
  finalStatus?: string
  /** Statuses reported before the end, each from its `afterMs`; `running` from the start unless given. */
  phases?: Array<{ afterMs: number; status: string }>
  /** Unknown (code 50131) until this long after creation. */
  visibleAfterMs?: number
  /** Extra fields merged into `data` once the task is final. */
  data?: Record<string, unknown>
}

/** One injected problem, used for the next `times` matching requests. */
export type Fault = { taskId?: string; times?: number } & (
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'http'; status: number; body?: string; contentType?: string; retryAfter?: string; code?: number; message?: string }
  | { kind: 'code'; code: number; message?: string; status?: number }
  | { kind: 'body'; body: string; status?: number; contentType?: string }
)

export type SimulatedApi = 'cloud' | 'self-hosted'

/**
 * The wait stream: `normal`, or `missing` (404, an older server), `close-early` (ends after its first frame),
 * `stall` (stays open, sends nothing more), `error-frame` (an error frame, then the end), `idle` (one `idle` frame
 * at once and the end, whatever runs: what the server sends while it counts no active task for the user), or a
 * flood sent as fast as the client reads, as a broken server or a proxy answering the path with something endless
 * would: `flood-lines` (`data:` lines of 60 kB, never a blank line), `flood-line` (one `data:` line that never ends).
 */
export type StreamBehaviour = 'normal' | 'missing' | 'close-early' | 'stall' | 'error-frame' | 'idle' | 'flood-lines' | 'flood-line'

/** The size of each piece a flooding stream writes: a `data:` line of `flood-lines`, a stretch of `flood-line`. */
const FLOOD_PIECE_BYTES = 60_000

export interface SimulatorOptions {
  /** Which API to serve: MemOS Cloud (default) or the open-source server. */
  api?: SimulatedApi
  /** Cloud: the key it accepts. Self-hosted: a key the server demands as `Bearer`, as a gateway in front would. */
  apiKey?: string
  /** Path prefix of the API, as in the real base URL: /api/openmem/v1 (cloud) or /product (self-hosted). */
  basePath?: string
  /** Self-hosted: whether the scheduler records task status (it does only on Redis); when false every task is unknown. */
  tracking?: boolean
  /**
   * Self-hosted: the extended app's `RateLimitMiddleware`, a sliding window over every request of a client
   * (stream opens and unknown routes included; `/health`, `/docs`, `/redoc`, `/openapi.json` and OPTIONS exempt),
   * keyed by the first `X-Forwarded-For` entry or else the address. 100 requests per 60 s unless given. Every
   * answer carries `X-RateLimit-Limit`, `-Remaining` and `-Reset` (now + window on a success); a request over the
   * limit is not counted and gets HTTP 429 `{"detail": …, "retry_after": n}` with `Retry-After`, the reset then
   * being when the oldest counted request leaves the window (docs/memos-api.md, "How the limiter counts").
   */
  windowLimit?: { limit?: number; windowMs?: number }
  /** The business code of a successful answer: the docs show 0, the SDK's tests 200. */
  successCode?: 0 | 200
  /** Answer with the legacy shape: `data` as a one-element list without `task_id`. */
  legacyListData?: boolean
  /** How an unknown task is reported: HTTP 200 + code 50131 (cloud), or HTTP 404 + code 404 (open-source server). */
  notFound?: 'code' | 'http404'
  /** How a wrong key is reported: HTTP 401, or HTTP 200 + code 40132. */
  authFailure?: 'http' | 'code'
  /** Server-side rate limit per second, answered with HTTP 429 or code 40300. */
  rateLimit?: { perSecond: number; style: '429' | 'code'; retryAfterSeconds?: number }
  /** Added before every answer. */
  latencyMs?: number
  /**
   * Start each task's clock at its first status request instead of when it is added, so that a task
   * given at start-up still runs its whole duration however late the first poll comes (the CLI does).
   */
  clockStartsAtFirstPoll?: boolean
}

export interface RequestRecord {
  /** Epoch milliseconds (fractional) when the request arrived. */
  at: number
  /** Epoch milliseconds when the answer was sent; undefined for a request that got none. */
  answeredAt: number | undefined
  path: string
  /** The query string, without its '?'. */
  query: string
  /** The path below the base path, e.g. /get/status or /scheduler/status. */
  route: string
  method: string
  taskId: string | undefined
  /** Self-hosted: the `user_id` query parameter. */
  userId: string | undefined
  headers: http.IncomingHttpHeaders
  httpStatus: number
  code: number | undefined
  status: string | undefined
}

interface TaskRecord extends TaskSpec {
  id: string
  /** When the task's clock started; undefined until its first status request with clockStartsAtFirstPoll. */
  createdAt: number | undefined
}

/** Paths the server's rate limiter does not count. */
const LIMIT_EXEMPT_PATHS = new Set(['/health', '/openapi.json', '/docs', '/redoc'])

export const DEFAULT_BASE_PATH = '/api/openmem/v1'
export const SELF_HOSTED_BASE_PATH = '/product'
/** The routes that answer a task's status, per API. */
const STATUS_ROUTES: Record<SimulatedApi, string> = { cloud: '/get/status', 'self-hosted': '/scheduler/status' }

const now = (): number => performance.timeOrigin + performance.now()

export class MemosSimulator {
  readonly requests: RequestRecord[] = []
  private readonly tasks = new Map<string, TaskRecord>()
  private readonly faults: Fault[] = []
  private readonly sockets = new Set<Socket>()
  private readonly hanging = new Set<http.ServerResponse>()
  private readonly streams = new Set<http.ServerResponse>()
  /** How the wait stream behaves from now on: as the server does, or one of the ways it fails. */
  streamBehaviour: StreamBehaviour = 'normal'
  private readonly server: http.Server
  private readonly options: Required<Omit<SimulatorOptions, 'rateLimit' | 'windowLimit'>> &
    Pick<SimulatorOptions, 'rateLimit' | 'windowLimit'>
  private url = ''
  /** The requests `windowLimit` counted in its window, per client: arrival times, oldest first. */
  private readonly windows = new Map<string, number[]>()

  constructor(options: SimulatorOptions = {}) {
    const api = options.api ?? 'cloud'
    this.options = {
      api,
      // A self-hosted server needs no key unless one is asked for.
      apiKey: options.apiKey ?? (api === 'cloud' ? 'sim-test-key-0001' : ''),
      basePath: options.basePath ?? (api === 'cloud' ? DEFAULT_BASE_PATH : SELF_HOSTED_BASE_PATH),
      tracking: options.tracking ?? true,
      windowLimit: options.windowLimit,
      successCode: options.successCode ?? 0,
      legacyListData: options.legacyListData ?? false,
      notFound: options.notFound ?? 'code',
      authFailure: options.authFailure ?? 'code',
      latencyMs: options.latencyMs ?? 0,
      clockStartsAtFirstPoll: options.clockStartsAtFirstPoll ?? false,
      rateLimit: options.rateLimit
    }
    this.server = http.createServer((request, response) => this.handle(request, response))
    this.server.keepAliveTimeout = 30_000
    this.server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  get api(): SimulatedApi {
    return this.options.api
  }

  get apiKey(): string {
    return this.options.apiKey
  }

  /** The base URL to give the action, e.g. http://127.0.0.1:41234/api/openmem/v1. */
  get baseUrl(): string {
    return this.url
  }

  /** Rejects when the port cannot be had (EADDRINUSE, EACCES). */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    const address = this.server.address() as AddressInfo
    this.url = `http://${host}:${address.port}${this.options.basePath}`
    return this.url
  }

  async stop(): Promise<void> {
    for (const response of [...this.hanging, ...this.streams]) response.destroy()
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Ends every open wait stream at once, as a restarting server or a dropped connection would. */
  dropStreams(): void {
    for (const response of this.streams) response.destroy()
  }

  /** Client connections still open, kept-alive ones included. */
  get openConnections(): number {
    return this.sockets.size
  }

  /** Wait streams still open. */
  get openStreams(): number {
    return this.streams.size
  }

  /** Wait-stream requests, in arrival order. */
  streamRequests(): RequestRecord[] {
    return this.requests.filter((record) => record.route === '/scheduler/wait/stream')
  }

  /** Registers a task that exists from now on; its clock starts now, or at its first poll with clockStartsAtFirstPoll. */
  addTask(id: string, spec: TaskSpec): void {
    this.tasks.set(id, { ...spec, id, createdAt: this.options.clockStartsAtFirstPoll ? undefined : now() })
  }

  injectFault(fault: Fault): void {
    this.faults.push({ times: 1, ...fault })
  }

  /** Status requests for one task (or all), in arrival order. */
  statusRequests(taskId?: string): RequestRecord[] {
    const route = STATUS_ROUTES[this.options.api]
    return this.requests.filter((record) => record.route === route && (taskId === undefined || record.taskId === taskId))
  }

  /** The current status of a task, as the status route would report it. */
  statusOf(id: string, at = now()): string | undefined {
    const task = this.tasks.get(id)
    if (!task) return undefined
    const age = task.createdAt === undefined ? 0 : at - task.createdAt
    if (age < (task.visibleAfterMs ?? 0)) return undefined
    if (task.items)
      return aggregateItems(task.items.map((item) => (age >= item.durationMs ? (item.finalStatus ?? 'completed') : 'in_progress')))
    if (age >= task.durationMs) return task.finalStatus ?? 'completed'
    const running = this.options.api === 'cloud' ? 'running' : 'in_progress'
    const phases = task.phases ?? [{ afterMs: 0, status: running }]
    let status = running
    for (const phase of phases) if (age >= phase.afterMs) status = phase.status
    return status
  }

  /** When the task reaches its final status, in epoch milliseconds. */
  completesAt(id: string): number | undefined {
    const task = this.tasks.get(id)
    if (task?.createdAt === undefined) return undefined
    const durationMs = task.items ? Math.max(...task.items.map((item) => item.durationMs)) : task.durationMs
    return task.createdAt + durationMs
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const arrivedAt = now()
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const reply = (): void => this.answer(request, response, Buffer.concat(chunks).toString('utf8'), arrivedAt)
      if (this.options.latencyMs > 0) setTimeout(reply, this.options.latencyMs)
      else reply()
    })
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse, rawBody: string, arrivedAt: number): void {
    const url = new URL(request.url ?? '/', 'http://simulator')
    const path = url.pathname
    const base = this.options.basePath
    const route = path.startsWith(base) ? path.slice(base.length) : ''
    const method = request.method ?? ''
    const body = parseBody(rawBody)
    const query = (name: string): string | undefined => url.searchParams.get(name) ?? undefined
    const taskId = method === 'GET' ? query('task_id') : typeof body?.task_id === 'string' ? body.task_id : undefined
    const record: RequestRecord = {
      at: arrivedAt,
      answeredAt: undefined,
      path,
      query: url.search.slice(1),
      route,
      method,
      taskId,
      userId: query('user_id'),
      headers: request.headers,
      httpStatus: 0,
      code: undefined,
      status: undefined
    }
    this.requests.push(record)
    const send = (httpStatus: number, payload: string, headers: http.OutgoingHttpHeaders = {}): void => {
      record.httpStatus = httpStatus
      response.writeHead(httpStatus, { 'Content-Type': 'application/json', ...reply.budget?.headers, ...headers })
      response.end(payload)
      record.answeredAt = now()
    }
    const sendJson = (httpStatus: number, code: number, message: string, data: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
      record.code = code
      send(httpStatus, JSON.stringify({ code, message, data }), headers)
    }
    const reply: Reply = { record, request, response, send, sendJson, budget: undefined }

    if (this.options.api === 'self-hosted') return this.answerSelfHosted(reply, route, method, body)
    const budget = (reply.budget = this.takeFromWindow(request, path, arrivedAt))
    if (method !== 'POST' || !['/get/status', '/add/message', '/add/feedback'].includes(route)) {
      send(404, '<html><body><h1>404 Not Found</h1></body></html>', { 'Content-Type': 'text/html' })
      return
    }
    const fault = this.takeFault(taskId)
    if (fault) return this.applyFault(fault, reply)
    if (budget?.refused) return this.refuseOverWindow(reply, budget.retryAfterSeconds)

    if (request.headers.authorization !== `Token ${this.options.apiKey}`) {
      if (this.options.authFailure === 'http') sendJson(401, 40132, 'Invalid or expired API key', null)
      else sendJson(200, 40132, 'Invalid or expired API key', null)
      return
    }
    if (this.options.rateLimit && this.overRateLimit(arrivedAt)) {
      const { style, retryAfterSeconds } = this.options.rateLimit
      const headers = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) }
      if (style === '429') sendJson(429, 40300, 'Too many requests', null, headers)
      else sendJson(200, 40300, 'Rate limit exceeded', null, headers)
      return
    }

    if (route === '/add/message' || route === '/add/feedback') {
      const id = randomUUID()
      const durationMs = typeof body?.simulated_duration_ms === 'number' ? body.simulated_duration_ms : 3000
      this.addTask(id, { durationMs })
      sendJson(200, this.options.successCode, 'ok', { success: true, task_id: id, status: 'running' })
      return
    }

    if (!taskId) {
      sendJson(200, 40001, 'task_id is required', null)
      return
    }
    const polled = this.tasks.get(taskId)
    if (polled && polled.createdAt === undefined) polled.createdAt = arrivedAt
    const status = this.statusOf(taskId, arrivedAt)
    if (status === undefined) {
      if (this.options.notFound === 'http404') sendJson(404, 404, `Task ${taskId} not found`, null)
      else sendJson(200, 50131, 'Task not found', null)
      return
    }
    record.status = status
    const task = this.tasks.get(taskId) as TaskRecord
    const final = arrivedAt - (task.createdAt ?? arrivedAt) >= task.durationMs
    const data: Record<string, unknown> = { task_id: taskId, status }
    if (final && status === 'completed') {
      data.memory_views = { added: 1, updated: 0, deleted: 0, detail_factual: { memory_ids: [`memos_mem_${taskId.slice(0, 8)}`] } }
    }
    if (final && task.data) Object.assign(data, task.data)
    if (this.options.legacyListData) {
      delete data.task_id
      sendJson(200, 200, 'ok', [data])
    } else {
      sendJson(200, this.options.successCode, 'ok', data)
    }
  }

  /** The open-source server: FastAPI routes under /product, no key, HTTP-like codes (docs/memos-api.md). */
  private answerSelfHosted(reply: Reply, route: string, method: string, body: Record<string, unknown> | undefined): void {
    const { record, send, sendJson } = reply
    const stream = route === '/scheduler/wait/stream'
    // What stands in front of the app first: injected faults (status requests only), then a key-checking gateway.
    const fault = stream ? undefined : this.takeFault(record.taskId)
    if (fault) return this.applyFault(fault, reply)
    if (this.options.apiKey && record.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      return send(401, JSON.stringify({ detail: 'Unauthorized' }))
    }
    // The app's rate limiter counts every route, before the router answers.
    reply.budget = this.takeFromWindow(reply.request, record.path, record.at)
    if (reply.budget?.refused) return this.refuseOverWindow(reply, reply.budget.retryAfterSeconds)
    const allowed: Record<string, string> = { '/scheduler/status': 'GET', '/add': 'POST', '/scheduler/wait/stream': 'GET' }
    if (!(route in allowed) || (stream && this.streamBehaviour === 'missing')) return send(404, JSON.stringify({ detail: 'Not Found' }))
    if (allowed[route] !== method) return send(405, JSON.stringify({ detail: 'Method Not Allowed' }))
    if (stream) return this.serveWaitStream(reply)

    if (route === '/add') {
      const userId = typeof body?.user_id === 'string' ? body.user_id : undefined
      if (!userId) return sendJson(422, 422, 'Parameter validation error on POST /product/add', null)
      const id = record.taskId ?? randomUUID()
      const durationMs = typeof body?.simulated_duration_ms === 'number' ? body.simulated_duration_ms : 3000
      this.addTask(id, { durationMs, userId })
      return sendJson(200, 200, 'Memory added successfully', [])
    }

    const userId = record.userId
    if (!userId) {
      record.code = 422
      return send(
        422,
        JSON.stringify({
          code: 422,
          message: 'Parameter validation error on GET /product/scheduler/status',
          detail: [{ type: 'missing', loc: ['query', 'user_id'], msg: 'Field required' }],
          data: null
        })
      )
    }
    const task = record.taskId === undefined ? undefined : this.tasks.get(record.taskId)
    if (task && task.createdAt === undefined) task.createdAt = record.at
    const status =
      this.options.tracking && task && (task.userId ?? DEFAULT_USER_ID) === userId ? this.statusOf(task.id, record.at) : undefined
    if (status === undefined) return sendJson(404, 404, `Task ${record.taskId ?? ''} not found for user ${userId}`, null)
    record.status = status
    sendJson(200, 200, 'Memory get status successfully', [{ task_id: record.taskId, status }])
  }

  private takeFault(taskId: string | undefined): Fault | undefined {
    const index = this.faults.findIndex((fault) => fault.taskId === undefined || fault.taskId === taskId)
    if (index < 0) return undefined
    const fault = this.faults[index] as Fault
    fault.times = (fault.times ?? 1) - 1
    if (fault.times <= 0) this.faults.splice(index, 1)
    return fault
  }

  private applyFault(fault: Fault, { record, response, send, sendJson }: Reply): void {
    switch (fault.kind) {
      case 'hang':
        // Accept the request and never answer, like a stuck gateway.
        this.hanging.add(response)
        response.on('close', () => this.hanging.delete(response))
        return
      case 'reset':
        record.httpStatus = -1
        response.socket?.destroy()
        return
      case 'http': {
        const headers: http.OutgoingHttpHeaders = fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter }
        if (fault.code !== undefined) return sendJson(fault.status, fault.code, fault.message ?? 'error', null, headers)
        return send(fault.status, fault.body ?? '', { 'Content-Type': fault.contentType ?? 'text/html', ...headers })
      }
      case 'code':
        return sendJson(fault.status ?? 200, fault.code, fault.message ?? 'error', null)
      case 'body':
        return send(fault.status ?? 200, fault.body, { 'Content-Type': fault.contentType ?? 'application/json' })
    }
  }

  /**
   * GET /scheduler/wait/stream: Server-Sent Events, a bare `data: {…}` frame at once and then every
   * `poll_interval` seconds with the user's active task count; `idle` (then the end) when none is active,
   * `timeout` at `timeout_seconds`. `streamBehaviour` makes it misbehave.
   */
  private serveWaitStream({ record, response, budget }: Reply): void {
    const params = new URLSearchParams(record.query)
    const user = params.get('user_name') ?? ''
    const intervalMs = Math.max(50, Number(params.get('poll_interval') ?? '0.5') * 1000)
    const timeoutMs = Number(params.get('timeout_seconds') ?? '120') * 1000
    const started = now()
    record.httpStatus = 200
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', ...budget?.headers })
    response.flushHeaders()
    this.streams.add(response)
    let frames = 0
    const frame = (payload: Record<string, unknown>): void => {
      frames++
      response.write(`data: ${JSON.stringify({ user_name: user, instance_id: 'simulator', ...payload })}\n\n`)
    }
    const tick = (): void => {
      if (response.destroyed) return
      const behaviour = this.streamBehaviour
      if (behaviour === 'stall') return
      if (behaviour === 'flood-lines' || behaviour === 'flood-line') return flood(response, behaviour)
      const elapsed = now() - started
      const elapsedSeconds = Math.round(elapsed / 100) / 10
      if (behaviour === 'error-frame') {
        frame({ status: 'error', detail: 'stream_failed', elapsed_seconds: elapsedSeconds })
        return void response.end()
      }
      if (behaviour === 'close-early' && frames > 0) return void response.end()
      if (elapsed >= timeoutMs) {
        frame({ status: 'timeout', timed_out: true, active_tasks: this.activeTasks(user), elapsed_seconds: elapsedSeconds })
        return void response.end()
      }
      const active = behaviour === 'idle' ? 0 : this.activeTasks(user)
      frame({ status: active === 0 ? 'idle' : 'running', active_tasks: active, elapsed_seconds: elapsedSeconds })
      if (active === 0) return void response.end()
      setTimeout(tick, intervalMs)
    }
    response.on('close', () => this.streams.delete(response))
    tick()
  }

  /** A user's tasks that have not reached their final status; 0 when the server does not track tasks. */
  activeTasks(userId: string, at = now()): number {
    if (!this.options.tracking) return 0
    let active = 0
    for (const task of this.tasks.values()) {
      // A task whose clock has not started (clockStartsAtFirstPoll) is still to run: active.
      if ((task.userId ?? DEFAULT_USER_ID) === userId && at < (this.completesAt(task.id) ?? Number.POSITIVE_INFINITY)) active++
    }
    return active
  }

  /** Counts a request against `windowLimit`, as the server's sliding window does; undefined when there is none. */
  private takeFromWindow(request: http.IncomingMessage, path: string, at: number): WindowBudget | undefined {
    const options = this.options.windowLimit
    if (!options || request.method === 'OPTIONS' || LIMIT_EXEMPT_PATHS.has(path)) return undefined
    const limit = options.limit ?? 100
    const windowMs = options.windowMs ?? 60_000
    const forwarded = String(request.headers['x-forwarded-for'] ?? '')
      .split(',')[0]
      ?.trim()
    const client = forwarded || (request.socket.remoteAddress ?? '')
    const counted = (this.windows.get(client) ?? []).filter((arrival) => arrival > at - windowMs)
    this.windows.set(client, counted)
    // Whole unix seconds of the wall clock, as the server's int(time.time()) gives them (`at` is on the precise clock).
    const seconds = (ms: number): number => Math.floor((ms - now() + Date.now()) / 1000)
    if (counted.length >= limit) {
      // Refused requests are not counted; the window frees up when its oldest request leaves it.
      const reset = seconds((counted[0] as number) + windowMs)
      const headers = { 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) }
      return { refused: true, retryAfterSeconds: reset - seconds(at), headers }
    }
    counted.push(at)
    const reset = seconds(at + windowMs)
    return {
      refused: false,
      retryAfterSeconds: 0,
      headers: {
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': String(limit - counted.length),
        'X-RateLimit-Reset': String(reset)
      }
    }
  }

  private refuseOverWindow({ record, send }: Reply, retryAfterSeconds: number): void {
    record.code = 429
    send(429, JSON.stringify({ detail: 'Too many requests. Please slow down.', retry_after: retryAfterSeconds }), {
      'Retry-After': String(retryAfterSeconds)
    })
  }

  private overRateLimit(at: number): boolean {
    const limit = this.options.rateLimit?.perSecond ?? Number.POSITIVE_INFINITY
    const recent = this.requests.filter((record) => record.at > at - 1000 && record.httpStatus !== 429 && record.code !== 40300)
    // The current request is already recorded; it counts against the limit.
    return recent.length > limit
  }
}

interface WindowBudget {
  refused: boolean
  retryAfterSeconds: number
  headers: http.OutgoingHttpHeaders
}

/** One request's means of answering, handed to the code that decides the answer. */
interface Reply {
  record: RequestRecord
  request: http.IncomingMessage
  response: http.ServerResponse
  send(httpStatus: number, payload: string, headers?: http.OutgoingHttpHeaders): void
  sendJson(httpStatus: number, code: number, message: string, data: unknown, headers?: http.OutgoingHttpHeaders): void
  budget: WindowBudget | undefined
}

/** Writes without end while the client reads, waiting for each drain, until the response closes. */
function flood(response: http.ServerResponse, behaviour: 'flood-lines' | 'flood-line'): void {
  const piece = Buffer.from(behaviour === 'flood-lines' ? `data: ${'x'.repeat(FLOOD_PIECE_BYTES - 7)}\n` : 'x'.repeat(FLOOD_PIECE_BYTES))
  if (behaviour === 'flood-line') response.write('data: ')
  const more = (): void => {
    while (!response.destroyed) if (!response.write(piece)) return void response.once('drain', more)
  }
  more()
}

/** A task's status from its items' statuses, as the open-source scheduler aggregates them. */
export function aggregateItems(statuses: string[]): string {
  if (statuses.includes('failed')) return 'failed'
  if (statuses.some((status) => status === 'waiting' || status === 'in_progress')) return 'in_progress'
  return 'completed'
}

function parseBody(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** The largest number of requests that arrived within any window of `windowMs`. */
export function peakInWindow(records: Array<{ at: number }>, windowMs = 1000): number {
  const times = records.map((record) => record.at).sort((a, b) => a - b)
  let peak = 0
  let first = 0
  for (let last = 0; last < times.length; last++) {
    while ((times[last] as number) - (times[first] as number) >= windowMs) first++
    peak = Math.max(peak, last - first + 1)
  }
  return peak
}
