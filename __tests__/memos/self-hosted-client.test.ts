/**
 * The open-source MemOS server's answers, one row per case of the contract's response table
 * (docs/memos-api.md, "The open-source MemOS server"), classified the way the poller needs them.
 */
import { gated } from '../../testing/gated.js'
import { HttpTransport } from '../../src/http/transport.js'
import { classifySelfHostedResponse, SelfHostedClient, selfHostedNotFoundHint } from '../../src/memos/self-hosted-client.js'
import type { StatusOutcome } from '../../src/shared/outcome.js'
import type { MemosSimulator } from '../../simulator/memos-simulator.js'
import { startSimulator, TEST_USER } from '../../testing/harness.js'

const NOW = Date.parse('2026-11-28T12:00:00Z')
const USER = 'ci-user'

function classify(httpStatus: number, body: unknown, headers: Record<string, string> = {}, withKey = false): StatusOutcome {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return classifySelfHostedResponse(
    { httpStatus, headers: { 'content-type': 'application/json', ...headers }, body: text, nowMs: NOW },
    USER,
    withKey
  )
}

const ok = (items: unknown): unknown => ({ code: 200, message: 'Memory get status successfully', data: items })
const MALFORMED = "malformed response (HTTP 200, 'data' holds no task status)"
const NO_KEY_HINT =
  "The open-source server needs no key, so the server or a gateway in front of it asked for credentials: set 'api_key' (sent as 'Authorization: Bearer')."
const KEY_HINT = "It refused the key in 'api_key' (sent as 'Authorization: Bearer'): check it."

describe('classifySelfHostedResponse', () => {
  it.each([
    ['a running task', ok([{ task_id: 't', status: 'in_progress' }]), 'in_progress'],
    ['a waiting task', ok([{ task_id: 't', status: 'waiting' }]), 'waiting'],
    ['a finished task', ok([{ task_id: 't', status: 'completed' }]), 'completed'],
    ['a failed task (no error text is returned)', ok([{ task_id: 't', status: 'failed' }]), 'failed'],
    ['a cancelled task', ok([{ task_id: 't', status: 'cancelled' }]), 'cancelled']
  ])('reads the status of %s', (_name, body, status) => {
    expect(classify(200, body)).toEqual({ kind: 'status', status, data: { task_id: 't', status } })
  })

  it.each([
    ['any item failed', ['completed', 'failed', 'in_progress'], 'failed'],
    ['an item is still waiting', ['completed', 'waiting'], 'in_progress'],
    ['an item is still in progress', ['completed', 'in_progress'], 'in_progress'],
    ['every item completed', ['completed', 'completed'], 'completed']
  ])('aggregates several items as the server does: %s', (_name, statuses, status) => {
    const items = statuses.map((itemStatus, index) => ({ task_id: `item-${index}`, status: itemStatus }))
    expect(classify(200, ok(items))).toMatchObject({ kind: 'status', status, data: { status, items } })
  })

  it('reads a single item given as an object rather than a list', () => {
    expect(classify(200, ok({ task_id: 't', status: 'completed' }))).toEqual({
      kind: 'status',
      status: 'completed',
      data: { task_id: 't', status: 'completed' }
    })
  })

  it.each([
    [
      'the envelope with its message',
      404,
      { code: 404, message: 'Task abc not found for user ci-user', data: null },
      'HTTP 404: Task abc not found for user ci-user'
    ],
    ['the envelope without a message', 404, { code: 404, data: null }, 'HTTP 404, code 404'],
    ['the envelope with an empty message', 404, { code: 404, message: '', data: null }, 'HTTP 404, code 404'],
    [
      'code 404 inside an HTTP 200',
      200,
      { code: 404, message: 'Task abc not found for user ci-user', data: null },
      'HTTP 200: Task abc not found for user ci-user'
    ],
    [
      'HTTP 404 whatever code the envelope carries',
      404,
      { code: 200, message: 'Task abc not found', data: null },
      'HTTP 404: Task abc not found'
    ]
  ])('reports an unknown task as not found: %s', (_name, status, body, reason) => {
    expect(classify(status, body)).toEqual({ kind: 'not_found', reason, hint: selfHostedNotFoundHint(USER) })
  })

  it('explains a not-found answer with the user and the Redis requirement, not with the key', () => {
    expect(selfHostedNotFoundHint(USER)).toBe(
      "Check that 'task_id' is the id given to /add and that 'user_id' ('ci-user') is the user it was added for. " +
        'A right id also reads as not found when the server does not track tasks: its scheduler records status only ' +
        'with Redis (MEMSCHEDULER_USE_REDIS_QUEUE=true), which the docker example leaves off.'
    )
  })

  it.each([
    [
      'parameter validation (HTTP 422)',
      422,
      { code: 422, message: 'Parameter validation error on GET /product/scheduler/status', detail: [], data: null },
      'The MemOS server refused the request (HTTP 422: Parameter validation error on GET /product/scheduler/status).'
    ],
    [
      'code 422 inside an HTTP 200',
      200,
      { code: 422, message: 'Parameter validation error on GET /product/scheduler/status', data: null },
      'The MemOS server refused the request (HTTP 200: Parameter validation error on GET /product/scheduler/status).'
    ],
    [
      'HTTP 422 with another code in the envelope',
      422,
      { code: 400, message: 'user_id is required', data: null },
      'The MemOS server refused the request (HTTP 422: user_id is required).'
    ],
    [
      'an error code inside an HTTP 200',
      200,
      { code: 400, message: 'Invalid task id', data: null },
      'The MemOS server returned an error (HTTP 200, code 400: Invalid task id).'
    ],
    [
      'HTTP 400 though the envelope says code 200',
      400,
      { code: 200, message: 'Memory get status successfully', data: [{ task_id: 't', status: 'completed' }] },
      'The MemOS server returned an error (HTTP 400, code 200: Memory get status successfully).'
    ],
    ['an error code without a message', 409, { code: 409, data: null }, 'The MemOS server returned an error (HTTP 409, code 409).']
  ])('stops the task on %s, quoting the server', (_name, status, body, reason) => {
    expect(classify(status, body)).toEqual({ kind: 'fatal', scope: 'task', reason })
  })

  it.each([
    [
      'HTTP 500 with the envelope',
      500,
      { code: 500, message: 'Failed to get scheduler status', data: null },
      {},
      'HTTP 500, code 500: Failed to get scheduler status',
      false
    ],
    [
      'HTTP 502 from a gateway',
      502,
      '<html>\n  <body>Bad Gateway</body>\n</html>\n',
      { 'content-type': 'text/html' },
      "HTTP 502, text/html, not JSON: '<html> <body>Bad Gateway</body> </html>'",
      false
    ],
    [
      "a gateway's HTML timeout page (HTTP 408)",
      408,
      '<html><body>Request Timeout</body></html>',
      { 'content-type': 'text/html' },
      "HTTP 408, text/html, not JSON: '<html><body>Request Timeout</body></html>'",
      false
    ],
    ['HTTP 503 with an empty body', 503, '', { 'content-type': 'text/plain' }, 'HTTP 503, text/plain, empty body', false],
    [
      'HTTP 429 from the extended app',
      429,
      { detail: 'Too many requests. Please slow down.', retry_after: 3 },
      {},
      `HTTP 429, application/json: '{"detail":"Too many requests. Please slow down.","retry_after":3}'`,
      true
    ],
    [
      'code 500 inside an HTTP 200',
      200,
      { code: 500, message: 'Failed to get scheduler status', data: null },
      {},
      'MemOS server error (code 500: Failed to get scheduler status)',
      false
    ],
    ['code 503 without a message', 200, { code: 503, data: null }, {}, 'MemOS server error (code 503)', false],
    ['HTTP 200 in plain text', 200, 'OK', { 'content-type': 'text/plain' }, "HTTP 200, text/plain, not JSON: 'OK'", false],
    ['HTTP 200 with data that holds no status', 200, ok([{ task_id: 't' }]), {}, MALFORMED, false],
    ['HTTP 200 with a blank status', 200, ok([{ task_id: 't', status: '  ' }]), {}, MALFORMED, false],
    [
      'HTTP 200 with one of several items without a status',
      200,
      ok([{ task_id: 'a', status: 'completed' }, { task_id: 'b' }]),
      {},
      MALFORMED,
      false
    ],
    ['HTTP 200 with an empty list', 200, ok([]), {}, MALFORMED, false],
    ['HTTP 200 with data null', 200, ok(null), {}, MALFORMED, false]
  ])('retries on %s', (_name, status, body, headers, reason, throttled) => {
    const outcome = classify(status, body, headers) as Extract<StatusOutcome, { kind: 'transient' }>
    expect(outcome).toEqual({ kind: 'transient', reason, problem: expect.any(String), throttled })
    // An outage counts its attempts by problem: the reason's first words, without what varies (the message, the body).
    expect(reason.startsWith(outcome.problem)).toBe(true)
  })

  it.each([
    ['HTTP 503', 503, 'busy', 'HTTP 503'],
    ['HTTP 200 in plain text', 200, 'OK', 'HTTP 200'],
    ['code 500', 200, { code: 500, message: 'x', data: null }, 'MemOS server error'],
    ['data that holds no status', 200, ok(null), 'malformed response']
  ])('counts %s in an outage by the kind of its problem, not its text', (_name, status, body, problem) => {
    expect(classify(status, body)).toMatchObject({ kind: 'transient', problem })
  })

  it('takes Retry-After and the X-RateLimit-* budget from a 429', () => {
    const reset = String(NOW / 1000 + 42)
    const outcome = classify(
      429,
      { detail: 'Too many requests. Please slow down.', retry_after: 42 },
      {
        'retry-after': '42',
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': reset
      }
    )
    expect(outcome).toMatchObject({ kind: 'transient', throttled: true, retryAfterMs: 42_000, budget: { remaining: 0, resetInMs: 43_000 } })
  })

  it('carries the X-RateLimit-* budget of a successful answer, so the step can pace itself', () => {
    const headers = { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '57', 'x-ratelimit-reset': String(NOW / 1000 + 30) }
    expect(classify(200, ok([{ task_id: 't', status: 'in_progress' }]), headers)).toMatchObject({
      kind: 'status',
      budget: { remaining: 57, resetInMs: 31_000 }
    })
  })

  it.each([
    ['404 {"detail":"Not Found"} (no such route: base_url without /product)', 404, { detail: 'Not Found' }, 'ends with the API prefix'],
    ['405 {"detail":"Method Not Allowed"}', 405, { detail: 'Method Not Allowed' }, 'ends with the API prefix'],
    ['an HTML 404 page from a gateway', 404, '<html><body>404</body></html>', "Check 'base_url'"],
    ['a MemOS Cloud refusal with HTTP 401', 401, { code: 40100, message: 'API key required', data: null }, "set 'api: cloud'"],
    ['a redirect to a login page', 302, '', "Check 'base_url'"]
  ])('stops at once on %s, blaming base_url and naming the mode the answer looks like', (_name, status, body, hint) => {
    const headers: Record<string, string> = typeof body === 'string' ? { 'content-type': 'text/html', location: '/login' } : {}
    const outcome = classify(status, body, headers)
    expect(outcome).toMatchObject({ kind: 'fatal', scope: 'run' })
    const reason = (outcome as { reason: string }).reason
    expect(reason).toMatch(
      /^'base_url' did not answer like the open-source MemOS server \('api: self-hosted'\): GET \/scheduler\/status got /
    )
    expect(reason).toContain(hint)
  })

  it('stops at once on a MemOS Cloud answer, quoting it and pointing to api: cloud', () => {
    expect(classify(200, { code: 40100, message: 'API key required', data: null })).toEqual({
      kind: 'fatal',
      scope: 'run',
      reason:
        "'base_url' did not answer like the open-source MemOS server ('api: self-hosted'): GET /scheduler/status got " +
        "HTTP 200, code 40100: API key required. That is how MemOS Cloud answers: for the cloud, set 'api: cloud' (or leave 'api' out)."
    })
  })

  it.each([
    [
      '401 without a key: a gateway may need one',
      401,
      { detail: 'Unauthorized' },
      {},
      false,
      `(HTTP 401, application/json: '{"detail":"Unauthorized"}'). ${NO_KEY_HINT}`
    ],
    [
      '401 with a key: the key was refused',
      401,
      { detail: 'Unauthorized' },
      {},
      true,
      `(HTTP 401, application/json: '{"detail":"Unauthorized"}'). ${KEY_HINT}`
    ],
    [
      "403 from a gateway's access rule",
      403,
      { detail: 'Forbidden' },
      {},
      false,
      `(HTTP 403, application/json: '{"detail":"Forbidden"}'). ${NO_KEY_HINT}`
    ],
    [
      '401 in plain text',
      401,
      'Unauthorized',
      { 'content-type': 'text/plain' },
      true,
      `(HTTP 401, text/plain, not JSON: 'Unauthorized'). ${KEY_HINT}`
    ],
    [
      "an auth gateway's HTML 401 page (nginx), not a wrong base_url",
      401,
      '<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n',
      { 'content-type': 'text/html' },
      false,
      `(HTTP 401, text/html, not JSON: '<html> <head><title>401 Authorization Required</title></head> <body> <center><h…'). ${NO_KEY_HINT}`
    ],
    [
      '401 in the envelope, quoting it',
      401,
      { code: 401, message: 'Invalid token', data: null },
      {},
      true,
      `(HTTP 401, code 401: Invalid token). ${KEY_HINT}`
    ]
  ])('stops the run on %s', (_name, status, body, headers, withKey, reason) => {
    expect(classify(status, body, headers, withKey)).toEqual({
      kind: 'fatal',
      scope: 'run',
      reason: `The MemOS server refused the request ${reason}`
    })
  })
})

describe('SelfHostedClient', () => {
  let simulator: MemosSimulator | undefined
  let transport: HttpTransport | undefined

  afterEach(async () => {
    transport?.close()
    await simulator?.stop()
  })

  const refused = (hint: string): StatusOutcome => ({
    kind: 'fatal',
    scope: 'run',
    reason: `The MemOS server refused the request (HTTP 401, application/json: '{"detail":"Unauthorized"}'). ${hint}`
  })
  it.each([
    ['no key: no Authorization header, and says a gateway may need one', '', undefined, refused(NO_KEY_HINT)],
    [
      'the right key: as Bearer, and reads the status',
      'gateway-key-123',
      'Bearer gateway-key-123',
      { kind: 'status', status: 'in_progress', data: { task_id: 'task-1', status: 'in_progress' } }
    ],
    ['a wrong key: as Bearer, and says the key was refused', 'wrong-key', 'Bearer wrong-key', refused(KEY_HINT)]
  ])('asks a server behind a key-checking gateway for JSON, with %s', async (_name, apiKey, authorization, expected) => {
    simulator = await startSimulator({ api: 'self-hosted', apiKey: 'gateway-key-123' })
    simulator.addTask('task-1', { durationMs: 60_000 })
    transport = new HttpTransport({ userAgent: 'test' })
    const client = new SelfHostedClient({ baseUrl: simulator.baseUrl, apiKey, userId: TEST_USER, transport: gated(transport) })
    const outcome = await client.getStatus('task-1', { timeoutMs: 5000, signal: new AbortController().signal })
    expect(outcome).toEqual(expected)
    const [request] = simulator.statusRequests()
    expect(request?.headers.accept).toBe('application/json')
    expect(request?.headers.authorization).toBe(authorization)
  })
})
