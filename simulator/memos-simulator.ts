/**
 * A MemOS cloud API simulator on loopback, faithful to the contract in docs/memos-api.md: POST /get/status
 * with `Authorization: Token <key>`, `{code, message, data}` bodies, and the faults a real network and
 * gateway produce. Tests, the demo, the benchmark and the CI workflow all use it.
 */
import { randomUUID } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface TaskSpec {
  /** Time from creation until the final status. */
  durationMs: number
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

export interface SimulatorOptions {
  apiKey?: string
  /** Path prefix of the API, as in the real base URL. */
  basePath?: string
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
  taskId: string | undefined
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

export const DEFAULT_BASE_PATH = '/api/openmem/v1'

const now = (): number => performance.timeOrigin + performance.now()

export class MemosSimulator {
  readonly requests: RequestRecord[] = []
  private readonly tasks = new Map<string, TaskRecord>()
  private readonly faults: Fault[] = []
  private readonly sockets = new Set<Socket>()
  private readonly hanging = new Set<http.ServerResponse>()
  private readonly server: http.Server
  private readonly options: Required<Omit<SimulatorOptions, 'rateLimit'>> & Pick<SimulatorOptions, 'rateLimit'>
  private url = ''

  constructor(options: SimulatorOptions = {}) {
    this.options = {
      apiKey: options.apiKey ?? 'sim-test-key-0001',
      basePath: options.basePath ?? DEFAULT_BASE_PATH,
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

  get api(): 'cloud' | 'self-hosted' {
    return 'cloud'
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
    for (const response of this.hanging) response.destroy()
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
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
    return this.requests.filter((record) => record.path.endsWith('/get/status') && (taskId === undefined || record.taskId === taskId))
  }

  /** The current status of a task, as /get/status would report it. */
  statusOf(id: string, at = now()): string | undefined {
    const task = this.tasks.get(id)
    if (!task) return undefined
    const age = task.createdAt === undefined ? 0 : at - task.createdAt
    if (age < (task.visibleAfterMs ?? 0)) return undefined
    if (age >= task.durationMs) return task.finalStatus ?? 'completed'
    const phases = task.phases ?? [{ afterMs: 0, status: 'running' }]
    let status = 'running'
    for (const phase of phases) if (age >= phase.afterMs) status = phase.status
    return status
  }

  /** When the task reaches its final status, in epoch milliseconds. */
  completesAt(id: string): number | undefined {
    const task = this.tasks.get(id)
    return task?.createdAt === undefined ? undefined : task.createdAt + task.durationMs
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
    const path = (request.url ?? '').split('?')[0] ?? ''
    const body = parseBody(rawBody)
    const taskId = typeof body?.task_id === 'string' ? body.task_id : undefined
    const record: RequestRecord = {
      at: arrivedAt,
      answeredAt: undefined,
      path,
      taskId,
      headers: request.headers,
      httpStatus: 0,
      code: undefined,
      status: undefined
    }
    this.requests.push(record)
    const send = (httpStatus: number, payload: string, headers: http.OutgoingHttpHeaders = {}): void => {
      record.httpStatus = httpStatus
      response.writeHead(httpStatus, { 'Content-Type': 'application/json', ...headers })
      response.end(payload)
      record.answeredAt = now()
    }
    const sendJson = (httpStatus: number, code: number, message: string, data: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
      record.code = code
      send(httpStatus, JSON.stringify({ code, message, data }), headers)
    }

    const base = this.options.basePath
    const route = path.startsWith(base) ? path.slice(base.length) : ''
    if (request.method !== 'POST' || !['/get/status', '/add/message', '/add/feedback'].includes(route)) {
      send(404, '<html><body><h1>404 Not Found</h1></body></html>', { 'Content-Type': 'text/html' })
      return
    }

    const fault = this.takeFault(taskId)
    if (fault) return this.applyFault(fault, record, response, send, sendJson)

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

  private takeFault(taskId: string | undefined): Fault | undefined {
    const index = this.faults.findIndex((fault) => fault.taskId === undefined || fault.taskId === taskId)
    if (index < 0) return undefined
    const fault = this.faults[index] as Fault
    fault.times = (fault.times ?? 1) - 1
    if (fault.times <= 0) this.faults.splice(index, 1)
    return fault
  }

  private applyFault(
    fault: Fault,
    record: RequestRecord,
    response: http.ServerResponse,
    send: (status: number, payload: string, headers?: http.OutgoingHttpHeaders) => void,
    sendJson: (status: number, code: number, message: string, data: unknown, headers?: http.OutgoingHttpHeaders) => void
  ): void {
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

  private overRateLimit(at: number): boolean {
    const limit = this.options.rateLimit?.perSecond ?? Number.POSITIVE_INFINITY
    const recent = this.requests.filter((record) => record.at > at - 1000 && record.httpStatus !== 429 && record.code !== 40300)
    // The current request is already recorded; it counts against the limit.
    return recent.length > limit
  }
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
