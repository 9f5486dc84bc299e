/**
 * The poller and the MemOS client together, over real HTTP to the simulator on 127.0.0.1.
 * Settings are scaled down (50 ms first wait) so each case takes about a second.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import { aggregateConclusion, buildOutputs } from '../../src/report/outputs.js'
import { buildSummary } from '../../src/report/summary.js'
import { USER_AGENT } from '../../src/shared/version.js'
import type { MemosSimulator } from '../../simulator/memos-simulator.js'
import { startSimulator, waitAgainst } from '../../testing/harness.js'
import { keptResult } from '../../testing/task-results.js'

let simulator: MemosSimulator

afterEach(async () => {
  await simulator?.stop()
})

describe('waiting for one task', () => {
  it('polls until the task completes and records when each status was first seen', async () => {
    // The task's 400 ms count from its first poll, so that a slow start of the wait cannot make them look shorter.
    simulator = await startSimulator({ clockStartsAtFirstPoll: true })
    simulator.addTask('task-1', { durationMs: 400 })
    const { result, log } = await waitAgainst(simulator, {})
    const [task] = result.tasks
    expect(task).toMatchObject({ taskId: 'task-1', status: 'completed', conclusion: 'success', error: '' })
    expect(task?.timeline.map((change) => change.status)).toEqual(['running', 'completed'])
    expect(task?.timeline[1]?.atMs).toBeGreaterThanOrEqual(400)
    expect(task?.data).toMatchObject({ task_id: 'task-1', status: 'completed', memory_views: { added: 1 } })
    expect(result.attempts).toBe(simulator.statusRequests().length)
    expect(log.messages('info')).toEqual([expect.stringMatching(/^running \(\d+ms\)$/), expect.stringMatching(/^completed \(/)])
  })

  it('sends POST /get/status with the task id, the Token header, JSON and a User-Agent naming the action', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    await waitAgainst(simulator, {})
    const [request] = simulator.statusRequests()
    expect(request?.path).toBe('/api/openmem/v1/get/status')
    expect(request?.taskId).toBe('task-1')
    expect(request?.headers.authorization).toBe(`Token ${simulator.apiKey}`)
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.headers.accept).toBe('application/json')
    expect(request?.headers['user-agent']).toBe(USER_AGENT)
  })

  it.each([
    ['code 200 with the legacy list-shaped data', { legacyListData: true }],
    ['code 200 with object data', { successCode: 200 as const }]
  ])('accepts %s', async (_name, options) => {
    simulator = await startSimulator(options)
    simulator.addTask('task-1', { durationMs: 100 })
    const { result } = await waitAgainst(simulator, {})
    expect(result.tasks[0]).toMatchObject({ status: 'completed', conclusion: 'success' })
  })

  it('compares statuses case-insensitively and reports them as MemOS spelled them', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 100, phases: [{ afterMs: 0, status: 'Running' }], finalStatus: 'COMPLETED' })
    const { result, log } = await waitAgainst(simulator, {})
    expect(result.tasks[0]).toMatchObject({ status: 'COMPLETED', conclusion: 'success' })
    expect(log.messages('warning')).toEqual([])
  })

  it('concludes failure when the task reaches a failure status', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 150, finalStatus: 'failed' })
    const { result } = await waitAgainst(simulator, {})
    expect(result.tasks[0]).toMatchObject({ status: 'failed', conclusion: 'failure', error: "Task task-1 ended with status 'failed'." })
    expect(aggregateConclusion(result)).toBe('failure')
  })

  it('keeps polling through unknown statuses and warns once per status', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', {
      durationMs: 600,
      phases: [
        { afterMs: 0, status: 'waiting' },
        { afterMs: 150, status: 'refining' },
        { afterMs: 400, status: 'indexing' }
      ]
    })
    const { result, log } = await waitAgainst(simulator, {})
    expect(result.tasks[0]?.conclusion).toBe('success')
    expect(result.tasks[0]?.timeline.map((change) => change.status)).toEqual(['waiting', 'refining', 'indexing', 'completed'])
    const warnings = log.messages('warning')
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain("unknown status 'refining'")
    expect(warnings[1]).toContain("unknown status 'indexing'")
    expect(simulator.statusRequests().filter((request) => request.status === 'refining').length).toBeGreaterThan(1)
  })
})

describe('transient problems are retried within the deadline', () => {
  it.each([
    ['a hung socket (request timeout)', { kind: 'hang' as const }, /no response within 300ms/],
    ['a reset connection', { kind: 'reset' as const }, /connection (closed|reset)/],
    [
      'an HTML 502 from a gateway',
      { kind: 'http' as const, status: 502, body: '<html><h1>502 Bad Gateway</h1></html>' },
      /HTTP 502, text\/html, not JSON/
    ],
    ['HTTP 503', { kind: 'http' as const, status: 503, body: '' }, /HTTP 503/],
    ['malformed JSON', { kind: 'body' as const, body: '{"code":0,"data":{"status":"runn' }, /not JSON/],
    [
      'code 50004',
      { kind: 'code' as const, code: 50004, message: 'service temporarily unavailable' },
      /code 50004: service temporarily unavailable/
    ]
  ])('retries after %s and then succeeds: one warning, a counted repeat, and a line when it recovers', async (_name, fault, reason) => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    simulator.injectFault({ ...fault, times: 2 })
    const { result, log } = await waitAgainst(simulator, { requestTimeoutMs: 300 })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'success', attempts: 3 })
    const warnings = log.messages('warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(reason)
    expect(warnings[0]).toMatch(/retrying in \d+ms\. Repeats are counted, not annotated\.$/)
    const info = log.messages('info')
    expect(info).toContainEqual(expect.stringMatching(/retrying in \d+ms \(.+ ×2 in \d+ms\)\.$/))
    expect(info).toContainEqual(expect.stringMatching(/^MemOS answers again after \d+ms of problems: 2 failed attempts \(.+ ×2\)\.$/))
  })

  it.each([
    ['in seconds on a 429', 429, () => '1'],
    // HTTP dates have whole seconds, so a date 2 s ahead means a wait of 1 to 2 seconds.
    ['as an HTTP date on a 503', 503, () => new Date(Date.now() + 2000).toUTCString()]
  ])('honours Retry-After %s', async (_name, status, retryAfter) => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    simulator.injectFault({ kind: 'http', status, body: '', retryAfter: retryAfter() })
    const { result } = await waitAgainst(simulator, {})
    expect(result.tasks[0]?.conclusion).toBe('success')
    const [first, second] = simulator.statusRequests()
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(990)
  })

  it('stops at once when Retry-After reaches past the deadline, and says so instead of "timed out"', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    simulator.injectFault({ kind: 'http', status: 429, body: '', retryAfter: '60' })
    const { result } = await waitAgainst(simulator, { timeoutMs: 30_000 })
    expect(result.stopReason).toBe('rate_limited')
    expect(result.tasks[0]).toMatchObject({ conclusion: 'timed_out', attempts: 1 })
    expect(result.tasks[0]?.error).toMatch(
      /^The server's rate limit allows no request before the timeout \(next at 1m, timeout 30s\); stopped after \d+ms waiting for task task-1 /
    )
    // It did not wait for the deadline: the answer came at once.
    expect(result.durationMs).toBeLessThan(15_000)
    expect(simulator.statusRequests()).toHaveLength(1)
  })

  it('waits for a Retry-After that ends before the deadline, then asks again', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    simulator.injectFault({ kind: 'http', status: 429, body: '', retryAfter: '1' })
    const { result } = await waitAgainst(simulator, { timeoutMs: 10_000 })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'success', attempts: 2 })
    const [first, second] = simulator.statusRequests()
    expect((second?.at ?? 0) - (first?.answeredAt ?? 0)).toBeGreaterThanOrEqual(990)
  })

  it('ends timed out, naming the last problem, when the problems outlast the deadline', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    simulator.injectFault({ kind: 'http', status: 502, body: 'bad gateway', contentType: 'text/plain', times: 1000 })
    const { result } = await waitAgainst(simulator, { timeoutMs: 1200 })
    expect(result.tasks[0]?.conclusion).toBe('timed_out')
    expect(result.tasks[0]?.error).toMatch(
      /^Timed out after 1\.2s waiting for task task-1 \(no status reported yet; last attempt: HTTP 502/
    )
  })
})

describe('problems that stop the wait at once', () => {
  it.each([
    ['HTTP 401', { authFailure: 'http' as const }],
    ['code 40132 in an HTTP 200', { authFailure: 'code' as const }]
  ])('a rejected key (%s) concludes error and points at api_key', async (_name, options) => {
    simulator = await startSimulator(options)
    simulator.addTask('task-1', { durationMs: 5000 })
    const { result, elapsedMs } = await waitAgainst(simulator, {}, { apiKey: 'wrong-key-12345' })
    expect(result.tasks[0]?.conclusion).toBe('error')
    expect(result.tasks[0]?.error).toContain("Check the 'api_key' input")
    expect(result.tasks[0]?.error).not.toContain('wrong-key-12345')
    // Not retried: one request, and the wait ends long before the 10 s timeout.
    expect(result.attempts).toBe(1)
    expect(simulator.statusRequests()).toHaveLength(1)
    expect(elapsedMs).toBeLessThan(5000)
  })

  it.each([
    ['a parameter error', 40002, 'task_id is malformed'],
    ['a quota error', 40303, 'call quota exceeded']
  ])('%s concludes error with the API message', async (_name, code, message) => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 5000 })
    simulator.injectFault({ kind: 'code', code, message })
    const { result } = await waitAgainst(simulator, {})
    expect(result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(result.tasks[0]?.error).toContain(`code ${code}: ${message}`)
  })
})

describe('task not found', () => {
  it('keeps polling while the task is not visible yet, then follows it', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 500, visibleAfterMs: 250 })
    const { result } = await waitAgainst(simulator, { notFoundGraceMs: 2000 })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'success', status: 'completed' })
    expect(simulator.statusRequests().some((request) => request.code === 50131)).toBe(true)
  })

  it.each([
    ['code 50131 (cloud)', { notFound: 'code' as const }, /not found \(code 50131: Task not found\)/],
    ['HTTP 404 (open-source server)', { notFound: 'http404' as const }, /not found \(HTTP 404, code 404/]
  ])('concludes error naming the task id after the grace period, for %s', async (_name, options, reason) => {
    simulator = await startSimulator(options)
    const { result, elapsedMs } = await waitAgainst(simulator, { taskIds: ['no-such-task'], notFoundGraceMs: 600 })
    expect(result.tasks[0]?.conclusion).toBe('error')
    expect(result.tasks[0]?.error).toMatch(/^Task no-such-task was not found/)
    expect(result.tasks[0]?.error).toMatch(reason)
    expect(result.tasks[0]?.error).toContain("Check that 'task_id' is right")
    // The grace is waited out, and the wait ends then, not at the 10 s timeout (the exact end: poller.problems.test.ts).
    expect(elapsedMs).toBeGreaterThanOrEqual(600)
    expect(elapsedMs).toBeLessThan(5000)
  })

  it('stops on the first answer, blaming base_url, when the 404 is not from the MemOS API', async () => {
    simulator = await startSimulator()
    const { result } = await waitAgainst(
      simulator,
      { notFoundGraceMs: 5000 },
      { baseUrl: simulator.baseUrl.replace('/api/openmem/v1', '/wrong') }
    )
    expect(result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(result.tasks[0]?.error).toMatch(/^'base_url' did not answer like the MemOS Cloud API/)
  })
})

describe('the deadline', () => {
  it('shortens the last wait so a final poll lands just before the deadline, and ends within moments of it', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 60_000 })
    const { result, elapsedMs } = await waitAgainst(simulator, { timeoutMs: 2500, intervalMs: 400, maxIntervalMs: 5000 })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'timed_out', status: 'running' })
    expect(result.tasks[0]?.error).toBe("Timed out after 2.5s waiting for task task-1 (last status 'running').")
    const requests = simulator.statusRequests()
    const lastAt = (requests.at(-1)?.at ?? 0) - (requests[0]?.at ?? 0)
    // The final poll starts at most the largest lead (2 s) before the deadline: twice the slowest answer, which a
    // busy machine can make long. Its exact time is checked on simulated time (poller.deadline.test.ts).
    expect(lastAt).toBeGreaterThanOrEqual(2500 - 2000)
    expect(elapsedMs).toBeGreaterThanOrEqual(2500 - 2000)
    // And the wait ends at the deadline, not half a timeout later.
    expect(elapsedMs).toBeLessThan(2500 + 1250)
  })

  it('cuts a request that hangs at the deadline, instead of waiting out request_timeout', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 60_000 })
    simulator.injectFault({ kind: 'hang', times: 100 })
    const { result, elapsedMs } = await waitAgainst(simulator, { timeoutMs: 1500, requestTimeoutMs: 30_000 })
    expect(result.tasks[0]?.conclusion).toBe('timed_out')
    // Not the 30 s request_timeout.
    expect(elapsedMs).toBeLessThan(15_000)
  })

  it('with timeout 0 checks each task once', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 60_000 })
    const { result } = await waitAgainst(simulator, { timeoutMs: 0 })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'timed_out', status: 'running', attempts: 1 })
  })
})

describe('cancellation', () => {
  it('aborts the sleep and the request in flight at once', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 60_000 })
    simulator.injectFault({ kind: 'hang', times: 1 })
    const abort = new AbortController()
    setTimeout(() => abort.abort(), 300)
    const { result, elapsedMs } = await waitAgainst(simulator, { requestTimeoutMs: 10_000 }, { signal: abort.signal })
    expect(result.stopReason).toBe('cancelled')
    expect(result.tasks[0]).toMatchObject({ conclusion: 'cancelled' })
    expect(aggregateConclusion(result)).toBe('cancelled')
    // The hung request is not waited out (request_timeout 10 s); the exact end: poller.deadline.test.ts.
    expect(simulator.statusRequests()).toHaveLength(1)
    expect(elapsedMs).toBeLessThan(5000)
  })
})

describe('large answers', () => {
  it('reads a 3 MB body, and keeps the summary and outputs within their limits', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0, data: { blob: 'm'.repeat(3 * 1024 * 1024) } })
    const { result } = await waitAgainst(simulator, {})
    expect(result.tasks[0]?.conclusion).toBe('success')
    expect(String(result.tasks[0]?.data?.blob)).toHaveLength(3 * 1024 * 1024)
    const reported = keptResult(result)
    const outputs = buildOutputs(reported)
    const summary = buildSummary(reported, outputs, { serverName: 'MemOS Cloud (127.0.0.1)', timeoutMs: 10_000 })
    expect(Buffer.byteLength(summary)).toBeLessThan(64 * 1024)
    expect(summary).toContain('… truncated')
    expect(Buffer.byteLength(outputs.result)).toBeLessThan(1024)
  })
})

describe('proxies, as @actions/http-client provides them', () => {
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY }
  let proxy: Server
  let connects: string[]

  beforeEach(async () => {
    connects = []
    // A CONNECT proxy that sends every *.localhost host to 127.0.0.1.
    proxy = createServer()
    proxy.on('connect', (request: IncomingMessage, client: Socket) => {
      connects.push(request.url ?? '')
      const [, port] = (request.url ?? '').split(':')
      const upstream = connect(Number(port), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.pipe(client)
        client.pipe(upstream)
      })
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  })

  afterEach(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    proxy.closeAllConnections()
    await new Promise((resolve) => proxy.close(resolve))
  })

  it('sends the requests through HTTP_PROXY', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    const baseUrl = simulator.baseUrl.replace('127.0.0.1', 'memos.localhost')
    const { result } = await waitAgainst(simulator, {}, { baseUrl })
    expect(result.tasks[0]?.conclusion).toBe('success')
    expect(connects).toEqual([`memos.localhost:${new URL(baseUrl).port}`])
  })

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    process.env.NO_PROXY = 'memos.localhost'
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    const baseUrl = simulator.baseUrl.replace('127.0.0.1', 'memos.localhost')
    await waitAgainst(simulator, { timeoutMs: 300 }, { baseUrl })
    expect(connects).toEqual([])
  })
})
