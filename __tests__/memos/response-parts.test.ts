import { describeBody, foreignAnswer, parseJsonObject, parseRateBudget, parseRetryAfter } from '../../src/memos/response-parts.js'

const NOW = Date.parse('2026-11-28T12:00:00Z')

describe('parseJsonObject', () => {
  it.each([
    ['the MemOS envelope', '{"code":200,"message":"ok","data":[]}', { code: 200, message: 'ok', data: [] }],
    ["Starlette's error body", '{"detail":"Not Found"}', { detail: 'Not Found' }],
    ['a JSON list', '[{"status":"completed"}]', undefined],
    ['JSON null', 'null', undefined],
    ['a JSON string', '"Not Found"', undefined],
    ['a JSON number', '404', undefined],
    ['an HTML page', '<html><body>Bad Gateway</body></html>', undefined],
    ['an empty body', '', undefined]
  ])('reads %s', (_name, body, expected) => {
    expect(parseJsonObject(body)).toEqual(expected)
  })
})

describe('describeBody', () => {
  it.each([
    [
      "a gateway's HTML page, on one line",
      { 'content-type': 'text/html; charset=utf-8' },
      '<html>\n  <body>Bad Gateway</body>\n</html>\n',
      ", text/html, not JSON: '<html> <body>Bad Gateway</body> </html>'"
    ],
    [
      'a JSON object without the envelope',
      { 'content-type': 'application/json' },
      '{"detail":"Not Found"}',
      `, application/json: '{"detail":"Not Found"}'`
    ],
    ['plain text without a content type', {}, 'Bad Gateway', ", not JSON: 'Bad Gateway'"],
    ['an empty body', { 'content-type': 'text/plain' }, '', ', text/plain, empty body'],
    ['a body of blank lines', { 'content-type': 'text/plain' }, ' \r\n \n', ', text/plain, empty body'],
    ['an empty body without a content type', {}, '', ', empty body'],
    ['a long page, cut', { 'content-type': 'text/html' }, `<p>${'x'.repeat(200)}</p>`, `, text/html, not JSON: '<p>${'x'.repeat(76)}…'`]
  ])('quotes %s', (_name, headers, body, expected) => {
    expect(describeBody(headers, body)).toBe(expected)
  })
})

describe('parseRetryAfter', () => {
  it.each([
    ['seconds', '120', 120_000],
    ['fractional seconds', '1.25', 1250],
    ['zero', '0', 0],
    ['seconds with trailing spaces (passed on as sent)', '5  ', 5000],
    ['the first of two headers', ['7', '9'], 7000],
    ['an HTTP date 30 s ahead', 'Sat, 28 Nov 2026 12:00:30 GMT', 30_000],
    ['an HTTP date in the obsolete RFC 850 form', 'Saturday, 28-Nov-26 12:00:30 GMT', 30_000],
    ['an HTTP date already past', 'Sat, 28 Nov 2026 11:59:00 GMT', 0],
    ['a negative number', '-1', undefined],
    ['seconds with a unit', '5s', undefined],
    ['words', 'in 5', undefined],
    ['an empty value', '', undefined],
    ['no header', undefined, undefined]
  ])('reads %s', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected)
  })
})

describe('parseRateBudget', () => {
  it.each([
    [
      'a unix reset time (the open-source server)',
      { 'x-ratelimit-remaining': '57', 'x-ratelimit-reset': String(NOW / 1000 + 30) },
      // A whole second is rounded down: a second more to be safe.
      { remaining: 57, resetInMs: 31_000 }
    ],
    [
      'seconds until the reset (a gateway)',
      { 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '12' },
      { remaining: 3, resetInMs: 13_000 }
    ],
    [
      'fractional seconds until the reset',
      { 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '2.25' },
      { remaining: 3, resetInMs: 2250 }
    ],
    [
      'a reset time already past',
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 - 5) },
      { remaining: 0, resetInMs: 1000 }
    ],
    [
      'values with trailing spaces (passed on as sent)',
      { 'x-ratelimit-remaining': '57 ', 'x-ratelimit-reset': '12 ' },
      { remaining: 57, resetInMs: 13_000 }
    ],
    [
      'the first of repeated headers',
      { 'x-ratelimit-remaining': ['3', '50'], 'x-ratelimit-reset': ['12', '60'] },
      { remaining: 3, resetInMs: 13_000 }
    ],
    ['no reset', { 'x-ratelimit-remaining': '3' }, undefined],
    ['no remaining', { 'x-ratelimit-reset': '12' }, undefined],
    ['an unreadable remaining', { 'x-ratelimit-remaining': 'lots', 'x-ratelimit-reset': '12' }, undefined],
    ['a negative remaining', { 'x-ratelimit-remaining': '-1', 'x-ratelimit-reset': '12' }, undefined],
    ['two remainings joined into one header', { 'x-ratelimit-remaining': '10, 9', 'x-ratelimit-reset': '12' }, undefined],
    ['two resets joined into one header', { 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '12, 60' }, undefined],
    ['a negative reset', { 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '-12' }, undefined],
    ['no headers', {}, undefined]
  ])('reads %s', (_name, headers, expected) => {
    expect(parseRateBudget(headers, NOW)).toEqual(expected)
  })
})

describe('foreignAnswer', () => {
  it.each([
    ['a redirect to a login page', 302, { location: '/login' }, '', 'a redirect (HTTP 302 to /login)'],
    ['a permanent redirect without a Location', 301, {}, '', 'a redirect (HTTP 301)'],
    ['HTTP 300 (multiple choices)', 300, { location: '/v2' }, '', 'a redirect (HTTP 300 to /v2)'],
    [
      'a missing route',
      404,
      { 'content-type': 'application/json' },
      '{"detail":"Not Found"}',
      `HTTP 404, application/json: '{"detail":"Not Found"}'`
    ],
    [
      'a login page served with HTTP 200',
      200,
      { 'content-type': 'text/html; charset=utf-8' },
      'Please sign in to continue.',
      "an HTML page (HTTP 200, text/html, not JSON: 'Please sign in to continue.')"
    ],
    [
      'an HTML page without a content type',
      200,
      {},
      '<!DOCTYPE html><html><body>Sign in</body></html>',
      "an HTML page (HTTP 200, not JSON: '<!DOCTYPE html><html><body>Sign in</body></html>')"
    ],
    [
      'an HTML page sent as text/plain, after a blank line',
      403,
      { 'content-type': 'text/plain' },
      '\n  <html><body>Forbidden</body></html>',
      "an HTML page (HTTP 403, text/plain, not JSON: '<html><body>Forbidden</body></html>')"
    ]
  ])('names %s', (_name, httpStatus, headers, body, expected) => {
    expect(foreignAnswer({ httpStatus, headers, body, nowMs: NOW }, parseJsonObject(body))).toBe(expected)
  })

  it.each([
    ['a 400 in plain text', 400, { 'content-type': 'text/plain' }, 'Bad Request'],
    ['plain text that mentions a tag', 400, { 'content-type': 'text/plain' }, 'Unexpected <html> in the query'],
    [
      "a gateway's HTML timeout page (HTTP 408, worth a retry)",
      408,
      { 'content-type': 'text/html' },
      '<html><body>Request Timeout</body></html>'
    ],
    ["a gateway's HTML 502 page (worth a retry)", 502, { 'content-type': 'text/html' }, '<html><body>Bad Gateway</body></html>'],
    ['a 404 in the MemOS envelope', 404, { 'content-type': 'application/json' }, '{"code":404,"message":"Task t not found","data":null}']
  ])('leaves %s to the API client', (_name, httpStatus, headers, body) => {
    expect(foreignAnswer({ httpStatus, headers, body, nowMs: NOW }, parseJsonObject(body))).toBeUndefined()
  })
})
