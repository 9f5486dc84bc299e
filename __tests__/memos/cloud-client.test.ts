import { CLOUD_NOT_FOUND_HINT, classifyCloudResponse as classifyResponse } from '../../src/memos/cloud-client.js'
import { parseRetryAfter } from '../../src/memos/response-parts.js'
import type { StatusOutcome } from '../../src/shared/outcome.js'

const NOW = Date.parse('2026-11-28T12:00:00Z')

function classify(httpStatus: number, body: unknown, headers: Record<string, string> = {}): StatusOutcome {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return classifyResponse({ httpStatus, headers: { 'content-type': 'application/json', ...headers }, body: text, nowMs: NOW })
}

describe('classifyResponse', () => {
  it.each([
    ['code 0 with a data object', { code: 0, message: 'ok', data: { task_id: 't', status: 'running' } }, 'running'],
    ['code 200 (the SDK tests)', { code: 200, message: 'ok', data: { status: 'completed' } }, 'completed'],
    ['the legacy one-element list', { code: 200, message: 'ok', data: [{ status: 'completed' }] }, 'completed'],
    ['an upper-case status, kept as spelled', { code: 0, data: { status: 'COMPLETED' } }, 'COMPLETED']
  ])('reads the status from %s', (_name, body, status) => {
    expect(classify(200, body)).toMatchObject({ kind: 'status', status })
  })

  it('passes the whole data object through', () => {
    const data = { task_id: 't', status: 'completed', memory_views: { added: 1 }, extra: [1, 2] }
    expect(classify(200, { code: 0, data })).toEqual({ kind: 'status', status: 'completed', data })
  })

  it.each([
    ['HTTP 408', 408, {}, false, 'HTTP 408, application/json'],
    ['HTTP 429', 429, {}, true, 'HTTP 429, application/json'],
    ['HTTP 500', 500, { code: 50000, message: 'internal' }, false, 'HTTP 500, code 50000: internal'],
    ['an HTML 502 from a gateway', 502, '<html><body>Bad Gateway</body></html>', false, 'HTTP 502'],
    ['HTTP 503', 503, '', false, 'HTTP 503'],
    ['HTTP 504', 504, 'upstream timed out', false, 'HTTP 504'],
    [
      'a body that is neither JSON nor HTML',
      200,
      'upstream connect error',
      false,
      "HTTP 200, application/json, not JSON: 'upstream connect error'"
    ],
    ['malformed JSON', 200, '{"code":0,"data":{"status":', false, 'HTTP 200, application/json, not JSON'],
    ['JSON without a code', 200, { data: { status: 'completed' } }, false, "malformed response (HTTP 200, no numeric 'code')"],
    ['data that is null', 200, { code: 0, data: null }, false, "malformed response (HTTP 200, 'data' is not an object)"],
    [
      'data that is a list of two',
      200,
      { code: 0, data: [{ status: 'completed' }, { status: 'failed' }] },
      false,
      "'data' is not an object"
    ],
    ['data without a status', 200, { code: 0, data: { task_id: 't' } }, false, "malformed response (HTTP 200, 'data.status' is missing)"],
    ['a blank status', 200, { code: 0, data: { status: '  ' } }, false, "'data.status' is missing"],
    ['an empty legacy list', 200, { code: 200, data: [] }, false, "'data' is not an object"],
    ['code 40300 (rate limit)', 200, { code: 40300, message: 'rate limit' }, true, 'rate limited (code 40300: rate limit)'],
    ['code 50000', 200, { code: 50000, message: 'internal error' }, false, 'MemOS server error (code 50000: internal error)'],
    ['code 50002', 200, { code: 50002, message: 'operation failed' }, false, 'MemOS server error (code 50002: operation failed)'],
    ['code 50004', 200, { code: 50004, message: 'unavailable' }, false, 'MemOS server error (code 50004: unavailable)'],
    ['code 50005', 200, { code: 50005 }, false, 'MemOS server error (code 50005)'],
    ['an undocumented 5xxxx code', 200, { code: 59999, message: 'odd' }, false, 'MemOS server error (code 59999: odd)']
  ])('treats %s as transient', (_name, status, body, throttled, reason) => {
    const outcome = classify(status, body)
    expect(outcome).toMatchObject({ kind: 'transient', throttled })
    const transient = outcome as Extract<StatusOutcome, { kind: 'transient' }>
    expect(transient.reason).toContain(reason)
    // An outage counts its attempts by problem: the reason's first words, without what varies (the message, the body).
    expect(transient.reason.startsWith(transient.problem)).toBe(true)
  })

  it.each([
    ['HTTP 502', 502, '<html>bad gateway</html>', 'HTTP 502'],
    ['code 50004', 200, { code: 50004, message: 'unavailable' }, 'MemOS server error'],
    ['code 40300', 200, { code: 40300, message: 'slow down' }, 'rate limited'],
    ['JSON without a code', 200, { data: {} }, 'malformed response']
  ])('counts %s in an outage by the kind of its problem, not its text', (_name, status, body, problem) => {
    expect(classify(status, body)).toMatchObject({ kind: 'transient', problem })
  })

  it('reads the status with the spaces around it trimmed', () => {
    expect(classify(200, { code: 0, data: { status: ' completed\n' } })).toMatchObject({ kind: 'status', status: 'completed' })
  })

  it('waits as long as Retry-After says on the rate-limit code, which comes with HTTP 200', () => {
    expect(classify(200, { code: 40300, message: 'rate limit' }, { 'retry-after': '3' })).toMatchObject({ retryAfterMs: 3000 })
  })

  it.each([
    ['HTTP 401', 401, { code: 40132, message: 'Invalid or expired API key' }],
    ['HTTP 403', 403, 'Forbidden'],
    ['HTTP 401 from a gateway, without a MemOS code', 401, 'Unauthorized'],
    ['code 40100', 200, { code: 40100, message: 'API key required' }],
    ['code 40130', 200, { code: 40130, message: 'API key required' }],
    ['code 40132', 200, { code: 40132, message: 'Invalid or expired API key' }]
  ])('stops the whole run on %s and points at api_key', (_name, status, body) => {
    const outcome = classify(status, body)
    expect(outcome).toMatchObject({ kind: 'fatal', scope: 'run' })
    expect((outcome as { reason: string }).reason).toContain("'api_key'")
  })

  it("reads an auth gateway's HTML 401 page as a rejected key, not as a wrong base_url", () => {
    const page =
      '<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n</body>\r\n</html>\r\n'
    expect(classify(401, page, { 'content-type': 'text/html' })).toEqual({
      kind: 'fatal',
      scope: 'run',
      reason:
        "MemOS rejected the API key (HTTP 401, text/html, not JSON: '<html> <head><title>401 Authorization Required</title></head> <body> <center><h…'). Check the 'api_key' input: it must be a MemOS API key (API Console > API Keys) of the project that created the task."
    })
  })

  it.each([
    [
      'code 40001',
      200,
      { code: 40001, message: 'task_id is required' },
      'task',
      'MemOS refused the request (code 40001: task_id is required).'
    ],
    [
      'code 40003',
      200,
      { code: 40003, message: 'unsupported parameter' },
      'task',
      'MemOS refused the request (code 40003: unsupported parameter).'
    ],
    [
      'code 40301',
      200,
      { code: 40301, message: 'token quota exceeded' },
      'run',
      'MemOS quota exceeded (code 40301: token quota exceeded).'
    ],
    ['code 40305', 200, { code: 40305, message: 'call quota exceeded' }, 'run', 'MemOS quota exceeded (code 40305: call quota exceeded).'],
    ['an undocumented 4xxxx code', 200, { code: 40999, message: 'odd' }, 'task', 'MemOS returned an error (HTTP 200, code 40999: odd).'],
    ['a code past the server range', 200, { code: 60000 }, 'task', 'MemOS returned an error (HTTP 200, code 60000).'],
    ['code 0 with HTTP 400', 400, { code: 0, message: 'bad' }, 'task', 'MemOS returned an error (HTTP 400, code 0: bad).']
  ])('stops on %s with the API message', (_name, status, body, scope, reason) => {
    expect(classify(status, body)).toEqual({ kind: 'fatal', scope, reason })
  })

  it.each([
    ['code 50131', 200, { code: 50131, message: 'Task not found' }, 'code 50131: Task not found'],
    ['HTTP 404 with the MemOS envelope', 404, { code: 404, message: 'not found' }, 'HTTP 404, code 404: not found']
  ])('reports %s as not found, with a hint about the id and the key', (_name, status, body, reason) => {
    expect(classify(status, body)).toEqual({ kind: 'not_found', reason, hint: CLOUD_NOT_FOUND_HINT })
  })

  it.each([
    [
      'an HTML 404 page (a base_url without its API path)',
      404,
      '<html>404</html>',
      'POST /get/status got HTTP 404, text/html, not JSON',
      "Check 'base_url'"
    ],
    [
      'an HTML page with HTTP 200 (a website, not the API)',
      200,
      '<!doctype html><html>Welcome</html>',
      'got an HTML page (HTTP 200',
      "Check 'base_url'"
    ],
    ['a redirect', 301, '', 'got a redirect (HTTP 301 to https://login.example/)', "Check 'base_url'"],
    [
      '404 {"detail":"Not Found"} (the open-source server)',
      404,
      { detail: 'Not Found' },
      `got HTTP 404, application/json: '{"detail":"Not Found"}'`,
      "set 'api: self-hosted'"
    ],
    [
      '405 {"detail":"Method Not Allowed"} (the open-source server)',
      405,
      { detail: 'Method Not Allowed' },
      'got HTTP 405',
      "set 'api: self-hosted'"
    ]
  ])('stops at once on %s, blaming base_url and naming the mode the answer looks like', (_name, status, body, what, hint) => {
    const headers: Record<string, string> = typeof body === 'string' && body !== '' ? { 'content-type': 'text/html' } : {}
    if (status === 301) headers.location = 'https://login.example/'
    const outcome = classify(status, body, headers)
    expect(outcome).toMatchObject({ kind: 'fatal', scope: 'run' })
    const reason = (outcome as { reason: string }).reason
    expect(reason).toMatch(/^'base_url' did not answer like the MemOS Cloud API \('api: cloud'\)/)
    expect(reason).toContain(what)
    expect(reason).toContain(hint)
  })

  it.each([
    ['a 429', 429, '', true],
    ['a 500 page from a gateway', 500, '<html>Internal Server Error</html>', false],
    ['a 503 with the MemOS envelope', 503, { code: 50004, message: 'unavailable' }, false]
  ])('reads Retry-After from %s', (_name, status, body, throttled) => {
    expect(classify(status, body, { 'retry-after': '7' })).toMatchObject({ kind: 'transient', retryAfterMs: 7000, throttled })
  })

  it('quotes the start of a non-JSON body, so a gateway page is recognisable in the log', () => {
    const outcome = classify(502, '<html><title>502 Bad Gateway</title></html>', { 'content-type': 'text/html; charset=utf-8' })
    expect((outcome as { reason: string }).reason).toBe("HTTP 502, text/html, not JSON: '<html><title>502 Bad Gateway</title></html>'")
  })
})

describe('parseRetryAfter', () => {
  it.each([
    ['seconds', '120', 120_000],
    ['fractional seconds', '1.5', 1500],
    ['an HTTP date', 'Sat, 28 Nov 2026 12:00:30 GMT', 30_000],
    ['an HTTP date in the past', 'Sat, 28 Nov 2026 11:00:00 GMT', 0],
    ['garbage', 'soon', undefined],
    ['nothing', undefined, undefined]
  ])('reads %s', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected)
  })
})
