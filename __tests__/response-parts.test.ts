import { parseRateBudget } from '../src/response-parts.js'

const NOW = Date.parse('2026-11-28T12:00:00Z')

describe('parseRateBudget', () => {
  it.each([
    [
      'a unix reset time (the open-source server)',
      { 'x-ratelimit-remaining': '57', 'x-ratelimit-reset': String(NOW / 1000 + 30) },
      { remaining: 57, resetInMs: 30_000 }
    ],
    [
      'seconds until the reset (a gateway)',
      { 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '12' },
      { remaining: 3, resetInMs: 12_000 }
    ],
    [
      'a reset time already past',
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 - 5) },
      { remaining: 0, resetInMs: 0 }
    ],
    ['no reset', { 'x-ratelimit-remaining': '3' }, undefined],
    ['no remaining', { 'x-ratelimit-reset': '12' }, undefined],
    ['an unreadable remaining', { 'x-ratelimit-remaining': 'lots', 'x-ratelimit-reset': '12' }, undefined],
    ['no headers', {}, undefined]
  ])('reads %s', (_name, headers, expected) => {
    expect(parseRateBudget(headers, NOW)).toEqual(expected)
  })
})
