import type { ApiMode } from '../settings/settings.js'
import { formatDuration } from '../shared/duration.js'
import { escapeHtml, escapeMarkdown, shown } from './markdown.js'
import { type KeptData, type KeptTaskResult, type KeptWaitResult, prettyData } from './kept-data.js'
import { describeChanges, idCount, type MemoryChanges, totalChanges } from './memory-views.js'
import { reasonText } from '../wait/results.js'
import { type Outputs, shortReason } from './outputs.js'
import { CELL_REASON_MAX, CELL_TEXT_MAX, ERROR_LINE_MAX, TASK_REASON_MAX } from '../shared/text.js'
import { ACTION_VERSION } from '../shared/version.js'

/**
 * The job summary, as markdown: the outcome in the heading, the memories that changed, every task that did not
 * succeed with its reason (never folded), then the completed tasks. Server text is cut and escaped
 * (see markdown.ts), and the whole stays within a byte budget whatever the number of tasks. It reads what was kept
 * of each task's data (kept-data.ts), which is all it can show of it.
 * One file past 200 lines, because its parts share one byte budget: each table and fold gets the room that the
 * parts before it left, and the kinds and their words are shared by the heading, the tables and the next steps.
 * Escaping (markdown.ts) and the memory counts (memory-views.ts) live apart; what is left is one page.
 */

export interface SummaryLimits {
  /** Rows of tasks that did not succeed; the rest are counted. */
  maxProblemRows: number
  /** Rows of completed tasks; the rest are counted. */
  maxSuccessRows: number
  /** More completed tasks than this fold into one block. */
  foldSuccessesOver: number
  /** Tasks that did not succeed whose timeline (and data, if it says more than the status) are shown. */
  maxDetailedTasks: number
  /** Bytes of pretty-printed data shown for a single task; a batch shows an eighth of it per task. */
  maxDataBytes: number
  maxMemoryIds: number
  /** The whole summary. GitHub accepts up to 1 MiB per step. */
  maxBytes: number
}

/** What the summary says about the run besides its results. */
export interface SummaryContext {
  /** The server that was asked, in words: "MemOS Cloud (memos.memtensor.cn)". */
  serverName: string
  timeoutMs: number
  /** Which API answered; it picks where to look next for a failed task. */
  api?: ApiMode
}

export const DEFAULT_SUMMARY_LIMITS: SummaryLimits = {
  maxProblemRows: 1000,
  maxSuccessRows: 1000,
  foldSuccessesOver: 30,
  maxDetailedTasks: 10,
  maxDataBytes: 32 * 1024,
  maxMemoryIds: 200,
  maxBytes: 512 * 1024
}

/** Bytes of pretty-printed data a data block shows: all of `maxDataBytes` for one task, an eighth in a batch. */
export function dataBlockBytes(limits: Pick<SummaryLimits, 'maxDataBytes'>, batch: boolean): number {
  return batch ? Math.floor(limits.maxDataBytes / 8) : limits.maxDataBytes
}

const TIMELINE_STEPS = { single: 50, batch: 10 }
const IDS_PER_LINE = 8

/** How a task ended, as a reader tells them apart. */
type Kind = 'completed' | 'failed' | 'not_found' | 'errored' | 'timed_out' | 'rate_limited' | 'cancelled' | 'not_waited'

const KINDS: Record<Kind, { icon: string; word: string; heading: string }> = {
  completed: { icon: '✅', word: 'completed', heading: 'completed' },
  failed: { icon: '❌', word: 'failed', heading: 'failed' },
  not_found: { icon: '⚠️', word: 'not found', heading: 'not found' },
  errored: { icon: '⚠️', word: 'error', heading: 'could not be checked' },
  timed_out: { icon: '⏱️', word: 'timed out', heading: 'still running at the timeout' },
  rate_limited: { icon: '⏱️', word: 'rate limited', heading: "stopped by the server's rate limit" },
  cancelled: { icon: '🚫', word: 'cancelled', heading: 'cancelled' },
  not_waited: { icon: '⏸️', word: 'not waited for', heading: 'not waited for' }
}

/** Problems in the order they are listed and named in the heading. */
const PROBLEM_ORDER: Kind[] = ['failed', 'not_found', 'errored', 'timed_out', 'rate_limited', 'not_waited', 'cancelled']
/** The heading of a cancelled run says so first, whatever else happened before. */
const CANCELLED_FIRST: Kind[] = ['cancelled', 'failed', 'not_found', 'errored', 'timed_out', 'rate_limited', 'not_waited']

function kindOf(task: KeptTaskResult): Kind {
  switch (task.conclusion) {
    case 'success':
      return 'completed'
    case 'failure':
      return 'failed'
    case 'error':
      return task.reason?.kind === 'not_found' ? 'not_found' : 'errored'
    case 'timed_out':
      // Stopped before the deadline because the server would let no request through before it.
      return task.reason?.kind === 'timed_out' && task.reason.rateLimited ? 'rate_limited' : 'timed_out'
    case 'cancelled':
      return 'cancelled'
    case 'pending':
      return 'not_waited'
  }
}

interface Shown {
  task: KeptTaskResult
  kind: Kind
  changes: MemoryChanges | undefined
}

export function buildSummary(
  result: KeptWaitResult,
  outputs: Outputs,
  context: SummaryContext,
  limits: SummaryLimits = DEFAULT_SUMMARY_LIMITS
): string {
  const all: Shown[] = result.tasks.map((task) => ({ task, kind: kindOf(task), changes: task.data?.memory }))
  const page = new Page(limits.maxBytes)
  if (all.length === 1 && all[0]) singleTask(page, all[0], result, outputs, context, limits)
  else batch(page, all, result, outputs, context, limits)
  page.add(footer(context), '')
  return page.text()
}

function singleTask(
  page: Page,
  only: Shown,
  result: KeptWaitResult,
  outputs: Outputs,
  context: SummaryContext,
  limits: SummaryLimits
): void {
  const { task, kind, changes } = only
  const title =
    outputs.conclusion === 'cancelled' ? '🚫 Wait for MemOS task cancelled' : `${KINDS[kind].icon} MemOS task ${KINDS[kind].heading}`
  page.add(`## ${title}`, '')
  if (changes) page.add(`**Memories:** ${describeChanges(changes)}`, '')
  page.add(facts(result, context, ''), '')
  if (kind !== 'completed') {
    page.add(`> **Reason:** ${escapeMarkdown(shortReason(task, TASK_REASON_MAX))}`)
    const step = nextStep(kind, [only], result, context)
    if (step) page.add('>', `> **Next step:** ${step}`)
    page.add('')
  }
  page.add(
    '| Task | Outcome | Status | Attempts | Duration |',
    '| --- | --- | --- | ---: | ---: |',
    `| ${shown(task.taskId, CELL_TEXT_MAX)} | ${outcome(kind)} | ${statusCell(task)} | ${task.attempts} | ${formatDuration(task.durationMs)} |`,
    ''
  )
  page.add('### Timeline', '', ...timeline(task, TIMELINE_STEPS.single), '')
  page.add(...memoryIdsFold([only], limits.maxMemoryIds))
  const data = task.data && dataBlock(task.data, dataBlockBytes(limits, false))
  if (data) page.add('<details><summary>Last data</summary>', '', data, '', '</details>', '')
}

function batch(page: Page, all: Shown[], result: KeptWaitResult, outputs: Outputs, context: SummaryContext, limits: SummaryLimits): void {
  const problems = PROBLEM_ORDER.flatMap((kind) => all.filter((entry) => entry.kind === kind))
  const completed = all.filter((entry) => entry.kind === 'completed')
  page.add(`## ${batchTitle(all, outputs)}`, '')
  const totals = totalChanges(all.map((entry) => entry.changes))
  if (totals) {
    const where = totals.tasks === all.length ? `, in all ${all.length} tasks` : `, in ${totals.tasks} of ${all.length} tasks`
    page.add(`**Memories:** ${describeChanges(totals.total)}${where}`, '')
  }
  page.add(facts(result, context, problems.length > 0 && completed.length > 0 ? `${completed.length} completed` : ''), '')

  if (problems.length > 0) {
    page.add(`### Did not succeed (${problems.length})`, '')
    page.add(...problemTable(problems, limits.maxProblemRows, page.room(0.5)), '')
    page.add('**Next steps**', '', ...nextSteps(problems, result, context), '')
  }
  if (completed.length > 0) {
    const table = successTable(completed, limits.maxSuccessRows, page.room(0.75))
    if (completed.length > limits.foldSuccessesOver) {
      page.add(`<details><summary>${completed.length} completed tasks</summary>`, '', ...table, '', '</details>', '')
    } else if (problems.length > 0) {
      page.add(`### Completed (${completed.length})`, '', ...table, '')
    } else {
      page.add(...table, '')
    }
  }
  const detail = detailFold(problems.slice(0, limits.maxDetailedTasks), problems.length, limits, page.room(0.9))
  page.add(...detail)
  page.add(...memoryIdsFold(all, limits.maxMemoryIds, page.room(0.97)))
}

/** "❌ 2 of 12 MemOS tasks failed, 1 not found", or "✅ 12 MemOS tasks completed". */
function batchTitle(all: Shown[], outputs: Outputs): string {
  const order = outputs.conclusion === 'cancelled' ? CANCELLED_FIRST : PROBLEM_ORDER
  const counts = order.map((kind) => [kind, all.filter((entry) => entry.kind === kind).length] as const).filter(([, n]) => n > 0)
  if (counts.length === 0) return `✅ ${all.length} MemOS tasks completed`
  const [[firstKind, firstCount], ...rest] = counts as [readonly [Kind, number], ...Array<readonly [Kind, number]>]
  const others = rest.map(([kind, n]) => `, ${n} ${KINDS[kind].heading}`).join('')
  return `${KINDS[firstKind].icon} ${firstCount} of ${all.length} MemOS tasks ${KINDS[firstKind].heading}${others}`
}

/** "8 completed · waited 42s · 123 status requests · timeout 10m" */
function facts(result: KeptWaitResult, context: SummaryContext, completed: string): string {
  const parts = [
    completed,
    `waited ${formatDuration(result.durationMs)}`,
    `${result.attempts} status ${result.attempts === 1 ? 'request' : 'requests'}`,
    context.timeoutMs === 0 ? 'timeout 0 (checked once)' : `timeout ${formatDuration(context.timeoutMs)}`
  ].filter((part) => part !== '')
  const line = parts.join(' · ')
  return line.charAt(0).toUpperCase() + line.slice(1)
}

function problemTable(problems: Shown[], maxRows: number, roomBytes: number): string[] {
  const rows = problems.map(
    ({ task, kind }) =>
      `| ${shown(task.taskId, CELL_TEXT_MAX)} | ${outcome(kind)} | ${shown(reasonInTable(task, kind), CELL_REASON_MAX)} | ${task.attempts} | ${formatDuration(task.durationMs)} |`
  )
  const kept = fitting(rows, maxRows, roomBytes)
  const table = ['| Task | Outcome | Reason | Attempts | Duration |', '| --- | --- | --- | ---: | ---: |', ...kept]
  if (kept.length < rows.length) {
    const left = problems.slice(kept.length)
    table.push(`| … | ${left.length} more | ${kindCounts(left)}: not listed, to keep the summary within its size limit | | |`)
  }
  return table
}

function successTable(completed: Shown[], maxRows: number, roomBytes: number): string[] {
  const memories = completed.some((entry) => entry.changes !== undefined)
  const rows = completed.map(
    ({ task, changes }) =>
      `| ${shown(task.taskId, CELL_TEXT_MAX)} | ${statusCell(task)} | ${memories ? `${memoryCell(changes)} | ` : ''}${task.attempts} | ${formatDuration(task.durationMs)} |`
  )
  const kept = fitting(rows, maxRows, roomBytes)
  const table = [
    `| Task | Status | ${memories ? 'Memories | ' : ''}Attempts | Duration |`,
    `| --- | --- | ${memories ? '--- | ' : ''}---: | ---: |`,
    ...kept
  ]
  if (kept.length < rows.length) {
    table.push(
      `| … | ${rows.length - kept.length} more completed tasks, not listed to keep the summary within its size limit | ${memories ? '| ' : ''}| |`
    )
  }
  return table
}

/** One bullet per kind of problem: what it means and what to do, said once for all the tasks of that kind. */
function nextSteps(problems: Shown[], result: KeptWaitResult, context: SummaryContext): string[] {
  return PROBLEM_ORDER.flatMap((kind) => {
    const ofKind = problems.filter((entry) => entry.kind === kind)
    const [first] = ofKind
    if (!first) return []
    const step = nextStep(kind, ofKind, result, context)
    if (step) return [`- **${ofKind.length} ${KINDS[kind].word}**: ${step}`]
    // An error's reason says what to check (the task id, user_id, the key): the first one is quoted whole.
    const label = ofKind.length === 1 ? `**1 ${KINDS[kind].word}**` : `**${ofKind.length} ${KINDS[kind].word}**, the first`
    return [`- ${label}: ${escapeMarkdown(shortReason(first.task, TASK_REASON_MAX))}`]
  })
}

/** What a reader can do about this kind of problem; '' where the reason itself says it. */
function nextStep(kind: Kind, ofKind: Shown[], result: KeptWaitResult, context: SummaryContext): string {
  const many = ofKind.length > 1
  switch (kind) {
    case 'failed':
      return context.api === 'self-hosted'
        ? `MemOS gives no reason for a failed task: look for ${many ? 'these task ids' : 'the task id'} in the MemOS server's log.`
        : `MemOS gives no reason for a failed task: look ${many ? 'them' : 'it'} up in the MemOS console.`
    case 'timed_out':
      return `${many ? 'these tasks were' : 'the task was'} still running after ${formatDuration(context.timeoutMs)}; raise \`timeout\` if ${many ? 'they need' : 'it needs'} longer.`
    case 'rate_limited':
      return "the server's rate limit let no request through before the timeout, so the wait stopped early; ask less often (`max_requests_per_second`, `interval`), raise the server's limit, or give `timeout` room for its reset."
    case 'not_waited':
      return notWaitedStep(result)
    case 'cancelled':
      return 'the run was cancelled before these tasks finished; run the job again to wait for them.'
    default:
      return ''
  }
}

function notWaitedStep(result: KeptWaitResult): string {
  const stopper = result.tasks
    .filter((task) => task.conclusion === 'failure' || task.conclusion === 'error')
    .sort((a, b) => a.durationMs - b.durationMs)[0]
  const name = stopper ? `task ${shown(stopper.taskId, CELL_TEXT_MAX)}` : 'a task'
  if (result.stopReason === 'fail_fast') {
    return `\`fail_fast\` stopped the wait when ${name} ${stopper?.conclusion === 'failure' ? 'failed' : 'ran into an error'}. Set \`fail_fast: false\` to wait for every task.`
  }
  return `the problem with ${name} (see its reason) stopped the wait for every task.`
}

/** Timelines and telling data of the tasks that did not succeed, in one fold. */
function detailFold(detailed: Shown[], problemCount: number, limits: SummaryLimits, roomBytes: number): string[] {
  const body: string[] = []
  let bytes = 0
  let shownTasks = 0
  for (const { task } of detailed) {
    const block = task.data?.telling ? dataBlock(task.data, dataBlockBytes(limits, true)) : undefined
    const data = block ? ['', block] : []
    const part = [`**${shown(task.taskId, CELL_TEXT_MAX)}**`, '', ...timeline(task, TIMELINE_STEPS.batch), ...data, '']
    const size = byteLength(part)
    if (bytes + size > roomBytes) break
    body.push(...part)
    bytes += size
    shownTasks++
  }
  if (shownTasks === 0) return []
  const label =
    shownTasks === 1
      ? 'Timeline of the task that did not succeed'
      : `Timelines of ${shownTasks === problemCount ? shownTasks : `the first ${shownTasks} of ${problemCount}`} tasks that did not succeed`
  return [`<details><summary>${label}</summary>`, '', ...body, '</details>', '']
}

function timeline(task: KeptTaskResult, maxSteps: number): string[] {
  if (task.timeline.length === 0) return ['- no status reported']
  const steps = task.timeline.map((change) => `- ${formatDuration(change.atMs)}: ${shown(change.status, CELL_TEXT_MAX)}`)
  if (steps.length <= maxSteps) return steps
  // The first maxSteps - 1 and the last are shown; the line between them counts the rest.
  const left = steps.length - maxSteps
  return [...steps.slice(0, maxSteps - 1), `- … ${left} more status ${left === 1 ? 'change' : 'changes'}`, ...steps.slice(-1)]
}

function memoryIdsFold(entries: Shown[], maxIds: number, roomBytes = Infinity): string[] {
  const groups = entries.flatMap(({ task, changes }) => (changes?.ids ?? []).map((group) => ({ task, group })))
  // Every id, also those the keeper left out: it keeps at least as many as this fold lists (data-keeper.ts).
  const total = entries.reduce((n, { changes }) => n + (changes ? idCount(changes) : 0), 0)
  if (total === 0) return []
  const lines: string[] = []
  let listed = 0
  let bytes = 0
  for (const { task, group } of groups) {
    for (let start = 0; start < group.ids.length && listed < maxIds; start += IDS_PER_LINE) {
      const ids = group.ids.slice(start, start + Math.min(IDS_PER_LINE, maxIds - listed))
      const owner = entries.length > 1 ? `${shown(task.taskId, CELL_TEXT_MAX)} · ` : ''
      const line = `- ${owner}${shown(group.category, CELL_TEXT_MAX)}: ${ids.map((id) => shown(id, CELL_TEXT_MAX)).join(', ')}`
      bytes += Buffer.byteLength(line) + 1
      if (bytes > roomBytes) break
      lines.push(line)
      listed += ids.length
    }
  }
  const more = total > listed ? ['', `${total - listed} more ids not listed.`] : []
  return [`<details><summary>Memory ids (${total})</summary>`, '', ...lines, ...more, '', '</details>', '']
}

/** The data pretty-printed, cut to `maxBytes`; undefined where none was kept (a completed task of a batch). */
function dataBlock(data: KeptData, maxBytes: number): string | undefined {
  const pretty = prettyData(data)
  if (!pretty) return undefined
  let text = pretty.start
  const size = pretty.bytes
  let note = ''
  if (size > maxBytes) {
    text = Buffer.from(text)
      .subarray(0, maxBytes)
      .toString('utf8')
      .replace(/\uFFFD$/, '')
    note = `\n… truncated: showing ${maxBytes} of ${size} bytes`
  }
  return `<pre><code>${escapeHtml(text)}${escapeHtml(note)}</code></pre>`
}

function footer(context: SummaryContext): string {
  return `<sub>Wait for MemOS task ${ACTION_VERSION} asked ${escapeMarkdown(context.serverName)}.</sub>`
}

/** Icon and word; a no-break space keeps them on one line in a narrow column. */
function outcome(kind: Kind): string {
  return `${KINDS[kind].icon}\u00a0${KINDS[kind].word.replace(/ /g, '\u00a0')}`
}

/**
 * The reason without the task's id, which its row already shows, so that more of it fits in the cell. A task not
 * waited for shows its last status: why the wait stopped is said once, under the table.
 */
function reasonInTable(task: KeptTaskResult, kind: Kind): string {
  if (kind === 'not_waited') return `Not waited for (${task.status ? `last status '${task.status}'` : 'no status yet'}).`
  return task.reason ? reasonText(task.taskId, task.reason, { subject: 'row' }) : ''
}

function statusCell(task: KeptTaskResult): string {
  return task.status ? shown(task.status, CELL_TEXT_MAX) : '—'
}

function memoryCell(changes: MemoryChanges | undefined): string {
  return changes ? describeChanges(changes, true) : '—'
}

/** "3 failed, 1 not found" */
function kindCounts(entries: Shown[]): string {
  return PROBLEM_ORDER.map((kind) => [kind, entries.filter((entry) => entry.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${KINDS[kind].word}`)
    .join(', ')
}

/** The first rows that fit both limits. */
function fitting(rows: string[], maxRows: number, roomBytes: number): string[] {
  const kept: string[] = []
  let bytes = 0
  for (const row of rows.slice(0, maxRows)) {
    bytes += Buffer.byteLength(row) + 1
    if (bytes > roomBytes) break
    kept.push(row)
  }
  return kept
}

function byteLength(lines: string[]): number {
  return lines.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0)
}

/** Lines of markdown with a byte budget that each section asks about before it grows. */
class Page {
  private readonly lines: string[] = []
  private bytes = 0

  constructor(private readonly maxBytes: number) {}

  add(...lines: string[]): void {
    this.lines.push(...lines)
    this.bytes += byteLength(lines)
  }

  /** Bytes left before the page reaches `share` of its budget. */
  room(share: number): number {
    return Math.max(0, this.maxBytes * share - this.bytes)
  }

  text(): string {
    return this.lines.join('\n')
  }
}

/** Why the wait could not run: a message (bad inputs, an unexpected error), and the problems as a list when several. */
export interface RunProblem {
  lead: string
  items?: string[]
}

/** The summary when the wait could not run at all: the message line by line, then one list item per problem. */
export function buildErrorSummary({ lead, items = [] }: RunProblem): string {
  const lines = [
    ...lead.split(/\r?\n/).map((line) => `> ${shown(line, ERROR_LINE_MAX)}`),
    ...items.map((item) => `> - ${shown(item, ERROR_LINE_MAX)}`)
  ]
  return [
    '## ⚠️ Wait for MemOS task could not run',
    '',
    ...lines,
    '',
    'No MemOS task was checked.',
    '',
    `<sub>Wait for MemOS task ${ACTION_VERSION}</sub>`,
    ''
  ].join('\n')
}
