import { formatDuration, parseDuration } from '../src/duration.js'

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
    ['2.75s', 2750]
  ])('reads %p as %p ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected)
  })

  it.each(['', 'soon', '5 m', '-5s', '5m5m', '10d', '1h30', 'ms', '5s!'])('refuses %p', (text) => {
    expect(parseDuration(text)).toBeUndefined()
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
    [3_720_000, '1h02m']
  ])('formats %p ms as %p', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected)
  })
})
