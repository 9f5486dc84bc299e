/**
 * Tasks as the wait loop reports them, one maker per way a task ends, for the summary's tests. Their data is
 * given as MemOS sent it, and kept as the report keeps it (see src/report/data-keeper.ts).
 */
import { CLOUD_NOT_FOUND_HINT } from '../src/memos/cloud-client.js'
import { type AnswerData, reasonText, type TaskConclusion, type TaskReason, type WaitResult } from '../src/wait/results.js'
import { dataKeeper } from '../src/report/data-keeper.js'
import type { KeptData, KeptTaskResult, KeptWaitResult } from '../src/report/kept-data.js'
import type { SummaryContext } from '../src/report/summary.js'

export const CLOUD: SummaryContext = { serverName: 'MemOS Cloud (memos.example)', timeoutMs: 600_000, api: 'cloud' }
export const SELF_HOSTED: SummaryContext = {
  serverName: 'the self-hosted MemOS server at localhost:8000',
  timeoutMs: 600_000,
  api: 'self-hosted'
}

/** Data as the report keeps it for a step that waits for one task: all that the outputs and the summary show. */
export function kept(data: AnswerData): KeptData
export function kept(data: AnswerData | null): KeptData | null
export function kept(data: AnswerData | null): KeptData | null {
  return data === null ? null : dataKeeper(1)(data, { index: 0, ending: undefined })
}

/** A task's fields, with its data as MemOS sent it. */
export type TaskFields = Partial<Omit<KeptTaskResult, 'data'>> & { data?: AnswerData | null }

/**
 * A task as the wait reports it; a `reason` given without an `error` gets its words from `reasonText`, as the wait
 * gives them, so the two never disagree.
 */
export function task(overrides: TaskFields = {}): KeptTaskResult {
  const taskId = overrides.taskId ?? 'task-1'
  const reason = overrides.reason
  const { data = { task_id: taskId, status: 'completed' }, ...fields } = overrides
  return {
    taskId,
    status: 'completed',
    conclusion: 'success',
    attempts: 3,
    durationMs: 1234,
    data: kept(data),
    reason: undefined,
    error: reason ? reasonText(taskId, reason) : '',
    timeline: [
      { status: 'running', atMs: 5 },
      { status: 'completed', atMs: 1234 }
    ],
    ...fields
  }
}

/**
 * A wait's result as the report would have kept it: each task's data through the report's keeper, in input
 * order, a task that succeeded or failed as finished by its last answer.
 */
export function keptResult(result: WaitResult): KeptWaitResult {
  const keep = dataKeeper(result.tasks.length)
  const tasks = result.tasks.map((task, index) => {
    const ending = task.conclusion === 'success' || task.conclusion === 'failure' ? task.conclusion : undefined
    return { ...task, data: task.data === null ? null : keep(task.data, { index, ending }) }
  })
  return { ...result, tasks }
}

/** A reason that is only its problem's words: the error a test wants to see, verbatim. */
export const problem = (text: string): TaskReason => ({ kind: 'error', problem: text })

/** The reason and error of a task whose reason reads `text`, to spread over a task. */
export const withProblem = (text: string): Pick<KeptTaskResult, 'reason' | 'error'> => ({ reason: problem(text), error: text })

export const views = (added: number, updated: number, deleted: number, ids: string[] = []): Record<string, unknown> => ({
  added,
  updated,
  deleted,
  detail_factual: { memory_ids: ids }
})

export const completed = (taskId: string, memories?: Record<string, unknown>): KeptTaskResult =>
  task({ taskId, data: { task_id: taskId, status: 'completed', ...(memories ? { memory_views: memories } : {}) } })

export const failed = (taskId: string): KeptTaskResult =>
  task({
    taskId,
    status: 'failed',
    conclusion: 'failure',
    data: { task_id: taskId, status: 'failed' },
    reason: { kind: 'failed', status: 'failed' }
  })

export const notFound = (taskId: string, hint = CLOUD_NOT_FOUND_HINT): KeptTaskResult =>
  task({
    taskId,
    status: '',
    conclusion: 'error',
    attempts: 6,
    data: null,
    timeline: [],
    reason: { kind: 'not_found', problem: 'code 50131: task not found', forMs: 5_040, hint }
  })

/** Still running after the default 10m, with no failed attempt. */
export const timedOutReason = (lastStatus: string): Extract<TaskReason, { kind: 'timed_out' }> => ({
  kind: 'timed_out',
  lastStatus,
  timeoutMs: 600_000,
  attempts: 3,
  lastProblem: '',
  problems: [],
  unreached: undefined
})

export const timedOut = (taskId: string): KeptTaskResult =>
  task({
    taskId,
    status: 'running',
    conclusion: 'timed_out',
    durationMs: 600_000,
    data: { task_id: taskId, status: 'running' },
    timeline: [{ status: 'running', atMs: 5 }],
    reason: timedOutReason('running')
  })

export const notWaitedFor = (taskId: string, stopper = 'task-0'): KeptTaskResult =>
  task({
    taskId,
    status: 'running',
    conclusion: 'pending',
    timeline: [{ status: 'running', atMs: 5 }],
    reason: { kind: 'not_waited', lastStatus: 'running', cause: { kind: 'fail_fast', taskId: stopper, failed: true } }
  })

export const cancelled = (taskId: string): KeptTaskResult =>
  task({
    taskId,
    status: 'running',
    conclusion: 'cancelled',
    timeline: [{ status: 'running', atMs: 5 }],
    reason: { kind: 'cancelled', lastStatus: 'running' }
  })

export const KEY_REJECTED =
  "MemOS rejected the API key (HTTP 401). Check the 'api_key' input: it must be a MemOS API key (API Console > API Keys) of the project that created the task."

/** A task whose key MemOS refused. */
export const keyRejected = (taskId: string): KeptTaskResult =>
  task({ taskId, conclusion: 'error', status: '', timeline: [], data: null, reason: problem(KEY_REJECTED) })

const MAKERS: Record<TaskConclusion, (taskId: string) => KeptTaskResult> = {
  success: (taskId) => completed(taskId),
  failure: failed,
  error: (taskId) => notFound(taskId),
  timed_out: timedOut,
  cancelled,
  pending: (taskId) => notWaitedFor(taskId)
}

/**
 * A task that ended with `conclusion`, for that conclusion's usual reason (the makers above); `overrides` go on
 * top, and a `reason` among them gets its words from `reasonText` unless an `error` is given too.
 */
export function endedAs(taskId: string, conclusion: TaskConclusion, overrides: TaskFields = {}): KeptTaskResult {
  const made = MAKERS[conclusion](taskId)
  const { data, ...fields } = overrides
  const error = overrides.error ?? (overrides.reason ? reasonText(taskId, overrides.reason) : made.error)
  return { ...made, ...fields, ...(data === undefined ? {} : { data: kept(data) }), error }
}

export function resultOf(tasks: KeptTaskResult[], stopReason?: KeptWaitResult['stopReason']): KeptWaitResult {
  return { tasks, stopReason, attempts: tasks.reduce((n, t) => n + t.attempts, 0), durationMs: 1234 }
}
