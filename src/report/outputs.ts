import { clip, ERROR_TEXT_MAX, QUOTED_STATUS_MAX, sanitize, TASK_REASON_MAX } from '../shared/text.js'
import { reasonText, type TaskReason, type WaitResult } from '../wait/results.js'
import type { KeptData, KeptTaskResult, KeptWaitResult } from './kept-data.js'

/**
 * Every output of the step, built from the wait's result: the conclusion, the error text, and the JSON outputs
 * cut to fit GitHub's 1 MB limit per output. Past 200 lines, because the outputs share their order of tasks
 * (those that did not succeed first) and their byte limits, and the summary reads the same words from here.
 */

export type RunConclusion = 'success' | 'failure' | 'timed_out' | 'cancelled' | 'error'

/** The action's outputs, as the plain strings a workflow or composite action receives. */
export interface Outputs {
  conclusion: RunConclusion
  status: string
  result: string
  tasks: string
  failed_task_ids: string
  pending_task_ids: string
  attempts: string
  duration_ms: string
  error: string
}

export const OUTPUT_NAMES: ReadonlyArray<keyof Outputs> = [
  'conclusion',
  'status',
  'result',
  'tasks',
  'failed_task_ids',
  'pending_task_ids',
  'attempts',
  'duration_ms',
  'error'
]

/**
 * `success` only when every task succeeded; otherwise `cancelled` if the run was cancelled, else `error`
 * if any task errored, else `failure` if any task failed, else `timed_out`.
 */
export function aggregateConclusion(result: Pick<WaitResult<unknown>, 'tasks' | 'stopReason'>): RunConclusion {
  if (result.tasks.every((task) => task.conclusion === 'success')) return 'success'
  if (result.stopReason === 'cancelled') return 'cancelled'
  if (result.tasks.some((task) => task.conclusion === 'error')) return 'error'
  if (result.tasks.some((task) => task.conclusion === 'failure')) return 'failure'
  return 'timed_out'
}

const FAILED = new Set(['failure', 'error'])
const UNFINISHED = new Set(['timed_out', 'cancelled', 'pending'])

export function failedTasks(tasks: KeptTaskResult[]): KeptTaskResult[] {
  return tasks.filter((task) => FAILED.has(task.conclusion))
}

export function unfinishedTasks(tasks: KeptTaskResult[]): KeptTaskResult[] {
  return tasks.filter((task) => UNFINISHED.has(task.conclusion))
}

/** A batch's error names at most this many of the tasks it did not wait for; `pending_task_ids` has them all. */
const UNWAITED_NAMED = 10

/** The task's reason cut to `maxChars`, with the status it quotes (the server's words) cut first. */
export function shortReason(task: KeptTaskResult, maxChars: number): string {
  const reason = task.reason ? reasonText(task.taskId, task.reason, { subject: 'id', statusMax: QUOTED_STATUS_MAX }) : ''
  return clip(sanitize(reason), maxChars)
}

/**
 * A readable reason when the conclusion is not `success`; for a batch it names the first few tasks. The
 * tasks a stop left unwaited share one reason, so they are named together, once.
 */
export function runError(result: KeptWaitResult, conclusion: RunConclusion): string {
  if (conclusion === 'success') return ''
  const [only] = result.tasks
  if (result.tasks.length === 1 && only) return shortReason(only, TASK_REASON_MAX)
  const unwaited = result.tasks.filter((task) => task.conclusion === 'pending')
  const problems = [...failedTasks(result.tasks), ...unfinishedTasks(result.tasks).filter((task) => task.conclusion !== 'pending')]
  const shown = problems.slice(0, 3).map((task) => shortReason(task, TASK_REASON_MAX))
  const more = problems.length > shown.length ? [`(and ${problems.length - shown.length} more)`] : []
  const sentences = [`${countLine(result.tasks)}.`, ...shown, ...more]
  if (unwaited.length > 0) sentences.push(`${stopLine(result.stopReason)}; not waited for: ${namedIds(unwaited, UNWAITED_NAMED)}.`)
  return sentences.join(' ')
}

function stopLine(reason: KeptWaitResult['stopReason']): string {
  switch (reason) {
    case 'fail_fast':
      return 'fail_fast stopped the wait there'
    case 'fatal':
      return 'That stopped the wait for every task'
    default:
      return 'The wait stopped early'
  }
}

function namedIds(tasks: KeptTaskResult[], max: number): string {
  const named = tasks.slice(0, max).map((task) => task.taskId)
  return tasks.length > max ? `${named.join(', ')} and ${tasks.length - max} more` : named.join(', ')
}

/** "57 completed, 2 failed, 1 still running": one count per kind of ending, in a fixed order. */
export function countLine(tasks: KeptTaskResult[]): string {
  const count = (conclusion: string): number => tasks.filter((task) => task.conclusion === conclusion).length
  // A wait the server's rate limit ended early leaves its tasks timed out before the timeout came.
  const rateLimited = tasks.filter((task) => task.reason?.kind === 'timed_out' && task.reason.rateLimited).length
  const parts: Array<[number, string]> = [
    [count('success'), 'completed'],
    [count('failure'), 'failed'],
    [count('error'), 'errored'],
    [count('timed_out') - rateLimited, 'still running at the timeout'],
    [rateLimited, "still running when the server's rate limit stopped the wait"],
    [count('cancelled'), 'cancelled'],
    [count('pending'), 'not waited for']
  ]
  return parts
    .filter(([n]) => n > 0)
    .map(([n, label]) => `${n} ${label}`)
    .join(', ')
}

/**
 * Step outputs are limited to 1 MB each, so large `data` objects are replaced by a note in the JSON
 * outputs (the summary shows them, truncated). Without that, one oversized response would fail the step.
 */
export const OUTPUT_DATA_LIMIT = 64 * 1024
export const OUTPUT_JSON_LIMIT = 512 * 1024

/** `none`: leave every data object out as null, for batches too large for even a note per task. */
type DataLimit = number | 'none'

const NULL_BYTES = 4

function leftOutNote(bytes: number): { _truncated: string } {
  return { _truncated: `data of ${bytes} bytes left out of this output; the job summary shows its start` }
}

function dataForOutput(data: KeptData | null, limit: DataLimit): unknown {
  if (data === null || limit === 'none') return null
  // The keeper keeps the data whole wherever an output can show it (data-keeper.ts); were it not, the note stands in.
  return data.bytes <= limit && data.whole !== undefined ? data.whole : leftOutNote(data.bytes)
}

/**
 * Bytes of the JSON that stands for the data in an output at this limit, from the size kept: an output is measured
 * at each limit, but only built at the one it fits at.
 */
export function dataOutputBytes(data: KeptData | null, limit: DataLimit): number {
  if (data === null || limit === 'none') return NULL_BYTES
  return data.bytes <= limit ? data.bytes : Buffer.byteLength(JSON.stringify(leftOutNote(data.bytes)))
}

function taskEntry(task: KeptTaskResult, dataLimit: DataLimit): string {
  return JSON.stringify({
    task_id: task.taskId,
    status: task.status,
    conclusion: task.conclusion,
    attempts: task.attempts,
    duration_ms: task.durationMs,
    data: dataForOutput(task.data, dataLimit),
    error: task.error
  })
}

/**
 * One object per task, in input order. Past the limit, data is replaced by a note; past it even so
 * (thousands of tasks), data is null and the list keeps the tasks that did not succeed first, then the
 * successful ones, each from the start, as far as they fit. The id outputs always name every task.
 */
function tasksOutput(tasks: KeptTaskResult[]): string {
  // Each entry with null for its data; with data, it is as long less the 4 bytes of 'null', plus the data's JSON.
  const entries = tasks.map((task) => taskEntry(task, 'none'))
  const entryBytes = entries.map((entry) => Buffer.byteLength(entry))
  for (const dataLimit of [OUTPUT_DATA_LIMIT, 0]) {
    const bytes = tasks.reduce(
      (sum, task, index) => sum + (entryBytes[index] ?? 0) - NULL_BYTES + dataOutputBytes(task.data, dataLimit) + 1,
      1
    )
    if (bytes <= OUTPUT_JSON_LIMIT) return `[${tasks.map((task) => taskEntry(task, dataLimit)).join(',')}]`
  }
  const succeeded = (index: number): number => Number(tasks[index]?.conclusion === 'success')
  // The sort is stable: within each group the tasks stay in input order.
  const byPriority = [...tasks.keys()].sort((a, b) => succeeded(a) - succeeded(b))
  const kept = new Set<number>()
  let bytes = 1
  for (const index of byPriority) {
    const size = (entryBytes[index] ?? 0) + 1
    if (bytes + size > OUTPUT_JSON_LIMIT) break
    kept.add(index)
    bytes += size
  }
  return `[${entries.filter((_, index) => kept.has(index)).join(',')}]`
}

/** A log line when `tasks` could not list every task; '' when it lists them all. */
export function tasksOutputNote(outputs: Pick<Outputs, 'tasks'>, taskCount: number): string {
  const listed = (JSON.parse(outputs.tasks) as unknown[]).length
  if (listed >= taskCount) return ''
  return (
    `The tasks output lists ${listed} of ${taskCount} tasks, those that did not succeed first, to stay under ` +
    'the 1 MB limit of a step output; failed_task_ids and pending_task_ids name every task.'
  )
}

/**
 * With one task, `result` is its `data` object; with several, an array of them in input order. Past the
 * limit, data is replaced by a note, and for thousands of tasks by null, keeping one entry per task.
 */
function resultOutput(tasks: KeptTaskResult[]): string {
  const [only] = tasks
  // No task at all means the inputs were bad: `null`, as for a single task that returned no data.
  if (tasks.length === 0) return 'null'
  if (tasks.length === 1 && only) return JSON.stringify(dataForOutput(only.data, OUTPUT_DATA_LIMIT))
  for (const dataLimit of [OUTPUT_DATA_LIMIT, 0]) {
    const bytes = tasks.reduce((sum, task) => sum + dataOutputBytes(task.data, dataLimit) + 1, 1)
    if (bytes <= OUTPUT_JSON_LIMIT) return JSON.stringify(tasks.map((task) => dataForOutput(task.data, dataLimit)))
  }
  return JSON.stringify(tasks.map((task) => dataForOutput(task.data, 'none')))
}

export function buildOutputs(result: KeptWaitResult): Outputs {
  const conclusion = aggregateConclusion(result)
  return {
    conclusion,
    status: result.tasks.map((task) => task.status).join(','),
    result: resultOutput(result.tasks),
    tasks: tasksOutput(result.tasks),
    failed_task_ids: failedTasks(result.tasks)
      .map((task) => task.taskId)
      .join(','),
    pending_task_ids: unfinishedTasks(result.tasks)
      .map((task) => task.taskId)
      .join(','),
    attempts: String(result.attempts),
    duration_ms: String(result.durationMs),
    error: clip(runError(result, conclusion), ERROR_TEXT_MAX)
  }
}

const STEP_ERROR: TaskReason = { kind: 'not_waited', lastStatus: '', cause: { kind: 'step_error' } }

/**
 * The outputs when the wait never ran (bad input, unexpected error): every output still has a value.
 * The ids that were read are listed as not waited for, so that a later step can still tell which to check.
 */
export function errorOutputs(taskIds: string[], message: string, durationMs: number): Outputs {
  const empty: KeptWaitResult = {
    tasks: taskIds.map((taskId) => ({
      taskId,
      status: '',
      conclusion: 'pending',
      attempts: 0,
      durationMs,
      data: null,
      reason: STEP_ERROR,
      error: reasonText(taskId, STEP_ERROR),
      timeline: []
    })),
    stopReason: undefined,
    attempts: 0,
    durationMs
  }
  return { ...buildOutputs(empty), conclusion: 'error', error: clip(message, ERROR_TEXT_MAX) }
}

/** Whether the step fails: always on error or cancellation; on failure or timeout as the inputs say. */
export function shouldFailStep(conclusion: RunConclusion, options: { failOnFailure: boolean; failOnTimeout: boolean }): boolean {
  switch (conclusion) {
    case 'success':
      return false
    case 'failure':
      return options.failOnFailure
    case 'timed_out':
      return options.failOnTimeout
    default:
      return true
  }
}
