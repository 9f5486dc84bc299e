/**
 * The open-source MemOS server's answers, one row per case of the contract's response table
 * (docs/memos-api.md, "The open-source MemOS server"), classified the way the poller needs them.
 */
import { classifySelfHostedResponse, selfHostedNotFoundHint } from '../src/self-hosted-client.js'
import type { StatusOutcome } from '../src/status-source.js'

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
    ['every item completed', ['completed', 'completed'], 'completed']
  ])('aggregates several items as the server does: %s', (_name, statuses, status) => {
    const items = statuses.map((itemStatus, index) => ({ task_id: `item-${index}`, status: itemStatus }))
    expect(classify(200, ok(items))).toMatchObject({ kind: 'status', status, data: { status, items } })
  })

  it('reports an unknown task (HTTP 404 with the envelope) as not found, naming the user and the Redis requirement', () => {
    const outcome = classify(404, { code: 404, message: 'Task abc not found for user ci-user', data: null })
    expect(outcome).toEqual({
      kind: 'not_found',
      reason: 'HTTP 404: Task abc not found for user ci-user',
      hint: selfHostedNotFoundHint(USER)
    })
    expect(selfHostedNotFoundHint(USER)).toContain("'user_id' ('ci-user')")
    expect(selfHostedNotFoundHint(USER)).toContain('MEMSCHEDULER_USE_REDIS_QUEUE=true')
    expect(selfHostedNotFoundHint(USER)).not.toMatch(/api_key|API key/)
  })

  it('stops the task on 422 (parameter validation), quoting the server', () => {
    const outcome = classify(422, {
      code: 422,
      message: 'Parameter validation error on GET /product/scheduler/status',
      detail: [],
      data: null
    })
    expect(outcome).toEqual({
      kind: 'fatal',
      scope: 'task',
      reason: 'The MemOS server refused the request (HTTP 422: Parameter validation error on GET /product/scheduler/status).'
    })
  })

  it.each([
    ['HTTP 500 with the envelope', 500, { code: 500, message: 'Failed to get scheduler status', data: null }, false],
    ['HTTP 502 from a gateway', 502, '<html>Bad Gateway</html>', false],
    ['HTTP 503', 503, '', false],
    ['HTTP 429 from the extended app', 429, { detail: 'Too many requests. Please slow down.', retry_after: 3 }, true],
    ['HTTP 200 with data that holds no status', 200, ok([{ task_id: 't' }]), false],
    ['HTTP 200 with an empty list', 200, ok([]), false]
  ])('retries on %s', (_name, status, body, throttled) => {
    expect(classify(status, body)).toMatchObject({ kind: 'transient', throttled })
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
    expect(outcome).toMatchObject({ kind: 'transient', throttled: true, retryAfterMs: 42_000, budget: { remaining: 0, resetInMs: 42_000 } })
  })

  it('carries the X-RateLimit-* budget of a successful answer, so the step can pace itself', () => {
    const headers = { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '57', 'x-ratelimit-reset': String(NOW / 1000 + 30) }
    expect(classify(200, ok([{ task_id: 't', status: 'in_progress' }]), headers)).toMatchObject({
      kind: 'status',
      budget: { remaining: 57, resetInMs: 30_000 }
    })
  })

  it.each([
    ['404 {"detail":"Not Found"} (no such route: base_url without /product)', 404, { detail: 'Not Found' }, 'ends with the API prefix'],
    ['405 {"detail":"Method Not Allowed"}', 405, { detail: 'Method Not Allowed' }, 'ends with the API prefix'],
    ['an HTML 404 page from a gateway', 404, '<html><body>404</body></html>', "Check 'base_url'"],
    ['a MemOS Cloud answer (a five-digit code)', 200, { code: 40100, message: 'API key required', data: null }, "set 'api: cloud'"],
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

  it.each([
    ['without a key, it says a gateway may need one', false, "set 'api_key'"],
    ['with a key, it says the key was refused', true, "refused the key in 'api_key'"]
  ])('stops the run on 401: %s', (_name, withKey, hint) => {
    const outcome = classify(401, { detail: 'Unauthorized' }, {}, withKey)
    expect(outcome).toMatchObject({ kind: 'fatal', scope: 'run' })
    expect((outcome as { reason: string }).reason).toContain(hint)
  })
})
