import { formatDuration, parseDuration } from '../../src/shared/duration.js'

describe('parseDuration', () => {
  it.each([
    ['600', 600_000],
    ['0', 0],
    ['1.5', 1500],
    ['250ms', 250],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1h30m15s', 5_415_000],
    [' 2M ', 120_000],
    ['0.5s', 500],
    ['1.25', 1250],
    ['2.75s', 2750],
    ['1H2M3S', 3_723_000],
    ['1m30s250ms', 90_250],
    ['0.0005', 1],
    ['10ms5s', 5010]
  ])('reads %p as %p ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected)
  })

  it.each([
    '',
    '   ',
    'soon',
    '5 m',
    '-5s',
    '5m5m',
    '10d',
    '1h30',
    'ms',
    '5s!',
    '1,5',
    '1,5s',
    '1.',
    '.5',
    '1.s',
    'x5s',
    '1s1h1s',
    `${'9'.repeat(400)}s`
  ])('refuses %p', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })

  it('reads a duration in full right after refusing a repeated unit', () => {
    expect(parseDuration('1m5m')).toBeUndefined()
    expect(parseDuration('1h30m')).toBe(5_400_000)
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [1000, '1s'],
    [12_345, '12.3s'],
    [30_000, '30s'],
    [60_000, '1m'],
    [245_000, '4m05s'],
    [600_000, '10m'],
    [3_600_000, '1h'],
    [3_720_000, '1h02m'],
    [-5, '0ms'],
    [999.4, '999ms'],
    [999.5, '1s'],
    [1500, '1.5s'],
    [61_500, '1m01s'],
    [3_599_999, '59m59s'],
    [3_659_000, '1h'],
    [90_000_000, '25h']
  ])('formats %p ms as %p', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected)
  })
})
