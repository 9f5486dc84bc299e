/** The benchmark chart: median detection delay against median requests, one line per policy, one point per task duration. */
import { formatDuration } from '../src/shared/duration.js'

export interface ChartRow {
  policy: string
  durationMs: number
  medianDelayMs: number
  medianRequests: number
}

const WIDTH = 760
const HEIGHT = 460
const MARGIN = { left: 70, right: 230, top: 40, bottom: 56 }
const COLORS = ['#7c3aed', '#0ea5e9', '#f59e0b', '#ef4444', '#10b981', '#64748b']

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`)
}

export function renderChart(rows: ChartRow[], policies: string[], durationsMs: number[]): string {
  const delays = rows.map((row) => Math.max(row.medianDelayMs / 1000, 0.001))
  const requests = rows.map((row) => Math.max(row.medianRequests, 1))
  const xMin = Math.log10(Math.min(...delays)) - 0.2
  const xMax = Math.log10(Math.max(...delays)) + 0.2
  const yMin = 0
  const yMax = Math.log10(Math.max(...requests)) + 0.15
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (seconds: number): number => MARGIN.left + ((Math.log10(Math.max(seconds, 0.001)) - xMin) / (xMax - xMin)) * plotWidth
  const y = (count: number): number => MARGIN.top + plotHeight - ((Math.log10(Math.max(count, 1)) - yMin) / (yMax - yMin)) * plotHeight

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="600">Detection delay against requests (log scales; lower left is better)</text>`
  ]
  for (let power = Math.ceil(xMin); power <= Math.floor(xMax); power++) {
    const px = x(10 ** power)
    const label = `${10 ** power} s`
    parts.push(`<line x1="${px}" y1="${MARGIN.top}" x2="${px}" y2="${MARGIN.top + plotHeight}" stroke="#e5e7eb"/>`)
    parts.push(`<text x="${px}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle" fill="#374151">${label}</text>`)
  }
  for (let power = 0; power <= Math.floor(yMax); power++) {
    const py = y(10 ** power)
    parts.push(`<line x1="${MARGIN.left}" y1="${py}" x2="${MARGIN.left + plotWidth}" y2="${py}" stroke="#e5e7eb"/>`)
    parts.push(`<text x="${MARGIN.left - 8}" y="${py + 4}" text-anchor="end" fill="#374151">${10 ** power}</text>`)
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#9ca3af"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle" fill="#111827">median detection delay</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#111827">median status requests</text>`
  )

  policies.forEach((policy, index) => {
    const color = COLORS[index % COLORS.length] as string
    const points = durationsMs
      .map((durationMs) => rows.find((row) => row.policy === policy && row.durationMs === durationMs))
      .filter((row): row is ChartRow => row !== undefined)
      .map((row) => ({ row, px: x(row.medianDelayMs / 1000), py: y(row.medianRequests) }))
    const width = index === 0 ? 3 : 1.5
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="${width}" points="${points.map((p) => `${p.px.toFixed(1)},${p.py.toFixed(1)}`).join(' ')}"/>`
    )
    for (const point of points) {
      parts.push(`<circle cx="${point.px.toFixed(1)}" cy="${point.py.toFixed(1)}" r="${index === 0 ? 4.5 : 3.5}" fill="${color}"/>`)
      if (index === 0) {
        parts.push(
          `<text x="${(point.px + 7).toFixed(1)}" y="${(point.py - 6).toFixed(1)}" fill="${color}" font-size="11">${escapeXml(formatDuration(point.row.durationMs))}</text>`
        )
      }
    }
    const legendY = MARGIN.top + 10 + index * 22
    const legendX = MARGIN.left + plotWidth + 16
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 22}" y2="${legendY}" stroke="${color}" stroke-width="${width}"/>`,
      `<circle cx="${legendX + 11}" cy="${legendY}" r="3.5" fill="${color}"/>`,
      `<text x="${legendX + 30}" y="${legendY + 4}" fill="#111827">${escapeXml(policy)}</text>`
    )
  })
  parts.push(
    `<text x="${MARGIN.left + plotWidth + 16}" y="${MARGIN.top + 10 + policies.length * 22 + 10}" fill="#6b7280" font-size="11">Points: task durations, 1 s to 30 min</text>`,
    '</svg>',
    ''
  )
  return parts.join('\n')
}
