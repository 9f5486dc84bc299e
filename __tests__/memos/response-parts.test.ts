import { describeBody, foreignAnswer, parseJsonObject, parseRateBudget, parseRetryAfter } from '../../src/memos/response-parts.js'

const NOW = Date.parse('2026-11-28T12:00:00Z')
const DAY = 24 * 3_600_000

/** A JSON object nested `depth` levels deep, objects and lists in turn. */
const nested = (depth: number): string =>
  Array.from({ length: depth }, (_, level) => (level % 2 ? '[' : '{"a":')).join('') +
  '1' +
  Array.from({ length: depth }, (_, level) => (level % 2 ? ']' : '}'))
    .reverse()
    .join('')

describe('parseJsonObject', () => {
  it.each([
    ['the MemOS envelope', '{"code":200,"message":"ok","data":[]}', { code: 200, message: 'ok', data: [] }],
    ["Starlette's error body", '{"detail":"Not Found"}', { detail: 'Not Found' }],
    ['a JSON list', '[{"status":"completed"}]', undefined],
    ['JSON null', 'null', undefined],
    ['a JSON string', '"Not Found"', undefined],
    ['a JSON number', '404', undefined],
    ['an HTML page', '<html><body>Bad Gateway</body></html>', undefined],
    ['an empty body', '', undefined],
    ['an object after blank lines', ' \r\n\t{"a":1}', { a: 1 }]
  ])('reads %s', (_name, body, expected) => {
    expect(parseJsonObject(body)).toEqual(expected)
  })

  it.each([
    ['reads an object nested 64 levels deep', nested(64), true],
    ['reads brackets inside a string, which do not nest', `{"a":"${'[{'.repeat(100)}"}`, true],
    ['reads brackets after an escaped quote, still inside the string', `{"a":"\\"${'['.repeat(100)}"}`, true],
    ['refuses an object nested 65 levels deep', nested(65), false],
    ['refuses an object nested 1,000,000 levels deep', nested(1_000_000), false],
    ['refuses brackets after an escaped backslash, outside the string', `{"a":"\\\\","b":${nested(64)}}`, false]
  ])('%s', (_name, body, read) => {
    expect(parseJsonObject(body) !== undefined).toBe(read)
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
    ['a long page, cut', { 'content-type': 'text/html' }, `<p>${'x'.repeat(200)}</p>`, `, text/html, not JSON: '<p>${'x'.repeat(76)}…'`],
    [
      'a content type of 1000 characters, cut',
      { 'content-type': `text/${'x'.repeat(995)}` },
      'Bad Gateway',
      `, text/${'x'.repeat(194)}…, not JSON: 'Bad Gateway'`
    ],
    ['80 characters and then blank lines, whole', {}, `${'x'.repeat(80)}\n\n  \n`, `, not JSON: '${'x'.repeat(80)}'`],
    ['runs of whitespace across the cut, one space each', {}, `${'x y\n\n\t'.repeat(40)}`, `, not JSON: '${'x y '.repeat(19)}x y…'`],
    [
      'a page of 16 MiB, by its start',
      { 'content-type': 'text/html' },
      `<html>  \n${' '.repeat(1024 * 1024)}<body>${'x'.repeat(16 * 1024 * 1024)}`,
      `, text/html, not JSON: '<html> <body>${'x'.repeat(66)}…'`
    ],
    [
      'a JSON list',
      { 'content-type': 'application/json' },
      '[{"status":"completed"}]',
      `, application/json, not JSON: '[{"status":"completed"}]'`
    ],
    [
      'JSON nested too deep',
      { 'content-type': 'application/json' },
      '['.repeat(100_000) + ']'.repeat(100_000),
      `, application/json, JSON nested deeper than 64 levels: '${'['.repeat(79)}…'`
    ],
    [
      'an object nested too deep',
      { 'content-type': 'application/json' },
      `{"code":0,"data":${nested(100)}}`,
      `, application/json, JSON nested deeper than 64 levels: '{"code":0,"data":{"a":[{"a":[{"a":[{"a":[{"a":[{"a":[{"a":[{"a":[{"a":[{"a":[{"…'`
    ]
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
    ['no header', undefined, undefined],
    ['a day', '86400', DAY],
    ['10^20 seconds, as a day', `1${'0'.repeat(20)}`, DAY],
    ['15,000 digits (past what a number holds), as a day', '9'.repeat(15_000), DAY],
    ['an HTTP date in the year 9999, as a day', 'Fri, 31 Dec 9999 23:59:59 GMT', DAY]
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
    ['no headers', {}, undefined],
    [
      'a unix reset time centuries ahead, as a day',
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': `1${'0'.repeat(20)}` },
      { remaining: 0, resetInMs: DAY }
    ],
    [
      'a reset of 15,000 digits, as a day',
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '9'.repeat(15_000) },
      { remaining: 0, resetInMs: DAY }
    ],
    [
      'a remaining of 15,000 digits, as the largest exact number',
      { 'x-ratelimit-remaining': '9'.repeat(15_000), 'x-ratelimit-reset': '12' },
      { remaining: Number.MAX_SAFE_INTEGER, resetInMs: 13_000 }
    ]
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
