import { formatDuration } from './duration.js'
import type { TaskResult, WaitResult } from './poller.js'
import { countLine, type Outputs, type RunConclusion } from './report.js'

/**
 * The job summary, as markdown. Every string that came from the server is escaped, so no HTML or
 * markdown from the API reaches the page, and the whole stays well under the runner's 1 MiB limit.
 */

export interface SummaryLimits {
  /** Table rows; the rest are counted. Unsuccessful tasks come first, so they are the ones shown. */
  maxRows: number
  /** Tasks whose timeline and data are shown. */
  maxDetailedTasks: number
  /** Bytes of pretty-printed data shown per task. */
  maxDataBytes: number
}

/** What the summary says about the run besides its results. */
export interface SummaryContext {
  /** The server that was asked, in words: "MemOS Cloud (memos.memtensor.cn)". */
  serverName: string
  timeoutMs: number
}

export const DEFAULT_SUMMARY_LIMITS: SummaryLimits = {
  maxRows: 500,
  maxDetailedTasks: 10,
  maxDataBytes: 32 * 1024
}

const TITLES: Record<RunConclusion, string> = {
  success: '✅ MemOS task completed',
  failure: '❌ MemOS task failed',
  timed_out: '⏱️ Timed out waiting for MemOS task',
  cancelled: '🚫 Wait for MemOS task cancelled',
  error: '⚠️ Error while waiting for MemOS task'
}

/** The order in which tasks are listed: the ones that need attention first, then input order. */
const CONCLUSION_ORDER = ['error', 'failure', 'timed_out', 'cancelled', 'pending', 'success']

/**
 * Escapes text for a table cell or a line of markdown. Characters that HTML or markdown would interpret
 * (tags, entities, emphasis, links, code, pipes, autolinks) become numeric entities, which render as
 * themselves; a leading list or heading marker is escaped too.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[&<>"'|`*_[\]\\~#!():@]/g, (char) => `&#${char.charCodeAt(0)};`)
    .replace(/www\./gi, (match) => `${match.slice(0, 3)}&#46;`)
    .replace(/^([-+=]|\d+\.)/, (match) => `&#${match.charCodeAt(0)};${match.slice(1)}`)
}

/** Escapes text for the inside of <pre>: an HTML block, where only HTML is interpreted. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (char) => `&#${char.charCodeAt(0)};`)
}

export function buildSummary(
  result: WaitResult,
  outputs: Outputs,
  context: SummaryContext,
  limits: SummaryLimits = DEFAULT_SUMMARY_LIMITS
): string {
  const batch = result.tasks.length > 1
  const title = TITLES[outputs.conclusion].replace('task', batch ? `tasks (${result.tasks.length})` : 'task')
  const lines: string[] = [`## ${title}`, '']
  const facts = [
    batch ? escapeMarkdown(countLine(result.tasks)) : '',
    `${formatDuration(result.durationMs)}`,
    `${result.attempts} status ${result.attempts === 1 ? 'request' : 'requests'}`,
    `timeout ${formatDuration(context.timeoutMs)}`
  ].filter((fact) => fact !== '')
  lines.push(facts.join(' · '), '')
  if (outputs.error) lines.push(`> ${escapeMarkdown(outputs.error)}`, '')

  const ordered = [...result.tasks].sort((a, b) => CONCLUSION_ORDER.indexOf(a.conclusion) - CONCLUSION_ORDER.indexOf(b.conclusion))
  lines.push(...table(ordered, limits.maxRows), '')

  const detailed = ordered.slice(0, limits.maxDetailedTasks)
  if (batch) {
    lines.push('<details><summary>Timelines</summary>', '', ...detailed.flatMap((task) => timeline(task, true)), '</details>', '')
  } else {
    lines.push('### Timeline', '', ...detailed.flatMap((task) => timeline(task, false)))
  }
  for (const task of detailed) lines.push(...dataBlock(task, batch, limits.maxDataBytes))
  if (ordered.length > detailed.length) {
    lines.push(
      `Timelines and data of ${ordered.length - detailed.length} more tasks are left out here; the \`tasks\` output has them all.`,
      ''
    )
  }
  lines.push(`<sub>Asked ${escapeMarkdown(context.serverName)} with Wait for MemOS task.</sub>`, '')
  return lines.join('\n')
}

function table(tasks: TaskResult[], maxRows: number): string[] {
  const rows = tasks
    .slice(0, maxRows)
    .map(
      (task) =>
        `| ${escapeMarkdown(task.taskId)} | ${escapeMarkdown(task.status || '—')} | ${task.conclusion} | ${task.attempts} | ${formatDuration(task.durationMs)} |`
    )
  const left = tasks.length - rows.length
  if (left > 0) {
    const leftOut = tasks.slice(maxRows)
    rows.push(`| … | ${escapeMarkdown(countLine(leftOut))} | ${left} more rows left out | | |`)
  }
  return ['| Task | Status | Conclusion | Attempts | Duration |', '| --- | --- | --- | ---: | ---: |', ...rows]
}

function timeline(task: TaskResult, withId: boolean): string[] {
  const heading = withId ? [`**${escapeMarkdown(task.taskId)}**`, ''] : []
  if (task.timeline.length === 0) return [...heading, '- no status reported', '']
  const steps = task.timeline.map((change) => `- ${formatDuration(change.atMs)}: ${escapeMarkdown(change.status)}`)
  const ending = task.error ? [`- ${task.conclusion}: ${escapeMarkdown(task.error)}`] : []
  return [...heading, ...steps, ...ending, '']
}

function dataBlock(task: TaskResult, withId: boolean, maxBytes: number): string[] {
  if (task.data === null) return []
  let text = JSON.stringify(task.data, null, 2)
  const size = Buffer.byteLength(text)
  let note = ''
  if (size > maxBytes) {
    text = Buffer.from(text)
      .subarray(0, maxBytes)
      .toString('utf8')
      .replace(/\uFFFD$/, '')
    note = `\n… truncated: showing ${maxBytes} of ${size} bytes`
  }
  const label = withId ? `Last data of ${escapeHtml(task.taskId)}` : 'Last data'
  return [
    `<details><summary>${label}</summary>`,
    '',
    `<pre><code>${escapeHtml(text)}${escapeHtml(note)}</code></pre>`,
    '',
    '</details>',
    ''
  ]
}

/** The summary when the wait could not run at all (bad input, unexpected error). */
export function buildErrorSummary(message: string): string {
  const quoted = message.split('\n').map((line) => `> ${escapeMarkdown(line)}`)
  return ['## ⚠️ Wait for MemOS task could not run', '', ...quoted, ''].join('\n')
}
