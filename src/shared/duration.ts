/** Durations as users write them in workflow inputs: `600`, `250ms`, `90s`, `5m`, `1h30m`. */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000
}

const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy

/**
 * Parses a duration into milliseconds. A bare number means seconds, as it does for the `timeout`
 * input of most actions. Returns `undefined` when the text is not a duration, so the caller can name
 * the input in its error.
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim().toLowerCase()
  if (value === '') return undefined
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)

  PART.lastIndex = 0
  let total = 0
  let consumed = 0
  const seenUnits = new Set<string>()
  for (let match = PART.exec(value); match; match = PART.exec(value)) {
    const [whole, amount, unit] = match as unknown as [string, string, string]
    // `5m5m` or `1s1h` are almost certainly typos; refuse them rather than guess.
    if (seenUnits.has(unit)) return undefined
    seenUnits.add(unit)
    total += Number(amount) * (UNIT_MS[unit] ?? Number.NaN)
    consumed += whole.length
  }
  if (consumed !== value.length || !Number.isFinite(total)) return undefined
  return Math.round(total)
}

/** Formats milliseconds for logs and the summary: `850ms`, `12.3s`, `30s`, `4m05s`, `10m`, `1h02m`. */
export function formatDuration(ms: number): string {
  const safe = Math.max(0, Math.round(ms))
  if (safe < 1000) return `${safe}ms`
  if (safe < 60_000) return safe % 1000 === 0 ? `${safe / 1000}s` : `${(safe / 1000).toFixed(1)}s`
  const totalSeconds = Math.floor(safe / 1000)
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = totalSeconds % 60
  const pad = (n: number): string => String(n).padStart(2, '0')
  if (hours === 0) return seconds === 0 ? `${minutes}m` : `${minutes}m${pad(seconds)}s`
  return minutes === 0 ? `${hours}h` : `${hours}h${pad(minutes)}m`
}
