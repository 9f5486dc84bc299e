import { cut } from './markdown.js'
import type { TaskResult, WaitResult } from './poller.js'

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
export function aggregateConclusion(result: Pick<WaitResult, 'tasks' | 'stopReason'>): RunConclusion {
  if (result.tasks.every((task) => task.conclusion === 'success')) return 'success'
  if (result.stopReason === 'cancelled') return 'cancelled'
  if (result.tasks.some((task) => task.conclusion === 'error')) return 'error'
  if (result.tasks.some((task) => task.conclusion === 'failure')) return 'failure'
  return 'timed_out'
}

const FAILED = new Set(['failure', 'error'])
const UNFINISHED = new Set(['timed_out', 'cancelled', 'pending'])

export function failedTasks(tasks: TaskResult[]): TaskResult[] {
  return tasks.filter((task) => FAILED.has(task.conclusion))
}

export function unfinishedTasks(tasks: TaskResult[]): TaskResult[] {
  return tasks.filter((task) => UNFINISHED.has(task.conclusion))
}

/** Characters of one task's reason in the `error` output: a server may send statuses and messages of any length. */
const REASON_CHARS = 400
/** Characters of the task's status where a reason quotes it. */
const STATUS_CHARS = 100

/** The task's reason cut to `maxChars`, with the status it quotes (the server's words) cut first. */
export function shortReason(task: TaskResult, maxChars: number): string {
  const status = cut(task.status, STATUS_CHARS)
  const reason = task.status && status !== task.status ? task.error.split(task.status).join(status) : task.error
  return cut(reason, maxChars)
}

/** A readable reason when the conclusion is not `success`; for a batch it names the first few tasks. */
export function runError(result: WaitResult, conclusion: RunConclusion): string {
  if (conclusion === 'success') return ''
  const [only] = result.tasks
  if (result.tasks.length === 1 && only) return shortReason(only, REASON_CHARS)
  const problems = [...failedTasks(result.tasks), ...unfinishedTasks(result.tasks)]
  const shown = problems.slice(0, 3).map((task) => shortReason(task, REASON_CHARS))
  const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : ''
  return `${countLine(result.tasks)}. ${shown.join(' ')}${more}`
}

/** "57 completed, 2 failed, 1 still running": one count per kind of ending, in a fixed order. */
export function countLine(tasks: TaskResult[]): string {
  const count = (conclusion: string): number => tasks.filter((task) => task.conclusion === conclusion).length
  const parts: Array<[number, string]> = [
    [count('success'), 'completed'],
    [count('failure'), 'failed'],
    [count('error'), 'errored'],
    [count('timed_out'), 'still running at the timeout'],
    [count('cancelled'), 'cancelled'],
    [count('pending'), 'not waited for']
  ]
  return parts
    .filter(([n]) => n > 0)
    .map(([n, label]) => `${n} ${label}`)
    .join(', ')
}

/**
 * Step outputs are limited to 1 MiB each, so large `data` objects are replaced by a note in the JSON
 * outputs (the summary shows them, truncated). Without that, one oversized response would fail the step.
 */
export const OUTPUT_DATA_LIMIT = 64 * 1024
export const OUTPUT_JSON_LIMIT = 512 * 1024

function dataForOutput(data: Record<string, unknown> | null, limit: number): unknown {
  if (data === null) return null
  const size = Buffer.byteLength(JSON.stringify(data))
  return size <= limit ? data : { _truncated: `data of ${size} bytes left out of this output; the job summary shows its start` }
}

function tasksJson(tasks: TaskResult[], dataLimit: number): string {
  return JSON.stringify(
    tasks.map((task) => ({
      task_id: task.taskId,
      status: task.status,
      conclusion: task.conclusion,
      attempts: task.attempts,
      duration_ms: task.durationMs,
      data: dataForOutput(task.data, dataLimit),
      error: task.error
    }))
  )
}

/** With one task, `result` is its `data` object; with several, an array of them in input order. */
function resultJson(tasks: TaskResult[], dataLimit: number): string {
  const [only] = tasks
  // No task at all means the inputs were bad: `null`, as for a single task that returned no data.
  if (tasks.length === 0) return 'null'
  if (tasks.length === 1 && only) return JSON.stringify(dataForOutput(only.data, dataLimit))
  return JSON.stringify(tasks.map((task) => dataForOutput(task.data, dataLimit)))
}

export function buildOutputs(result: WaitResult): Outputs {
  const conclusion = aggregateConclusion(result)
  // Try the per-object limit first; if a large batch still overflows, drop data from these two outputs.
  let tasks = tasksJson(result.tasks, OUTPUT_DATA_LIMIT)
  if (Buffer.byteLength(tasks) > OUTPUT_JSON_LIMIT) tasks = tasksJson(result.tasks, 0)
  let resultOutput = resultJson(result.tasks, OUTPUT_DATA_LIMIT)
  if (Buffer.byteLength(resultOutput) > OUTPUT_JSON_LIMIT) resultOutput = resultJson(result.tasks, 0)
  return {
    conclusion,
    status: result.tasks.map((task) => task.status).join(','),
    result: resultOutput,
    tasks,
    failed_task_ids: failedTasks(result.tasks)
      .map((task) => task.taskId)
      .join(','),
    pending_task_ids: unfinishedTasks(result.tasks)
      .map((task) => task.taskId)
      .join(','),
    attempts: String(result.attempts),
    duration_ms: String(result.durationMs),
    error: runError(result, conclusion)
  }
}

/** The outputs when the wait never ran (bad input, unexpected error): every output still has a value. */
export function errorOutputs(taskIds: string[], message: string, durationMs: number): Outputs {
  const empty: WaitResult = {
    tasks: taskIds.map((taskId) => ({
      taskId,
      status: '',
      conclusion: 'error',
      attempts: 0,
      durationMs,
      data: null,
      error: message,
      timeline: []
    })),
    stopReason: undefined,
    attempts: 0,
    durationMs
  }
  return { ...buildOutputs(empty), conclusion: 'error', error: message }
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
