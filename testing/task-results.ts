/** Tasks as the wait loop reports them, one maker per way a task ends, for the summary's tests. */
import { CLOUD_NOT_FOUND_HINT } from '../src/memos/cloud-client.js'
import type { TaskResult, WaitResult } from '../src/wait/poller.js'
import type { SummaryContext } from '../src/report/summary.js'

export const CLOUD: SummaryContext = { serverName: 'MemOS Cloud (memos.example)', timeoutMs: 600_000, api: 'cloud' }
export const SELF_HOSTED: SummaryContext = {
  serverName: 'the self-hosted MemOS server at localhost:8000',
  timeoutMs: 600_000,
  api: 'self-hosted'
}

export function task(overrides: Partial<TaskResult> = {}): TaskResult {
  const taskId = overrides.taskId ?? 'task-1'
  return {
    taskId,
    status: 'completed',
    conclusion: 'success',
    attempts: 3,
    durationMs: 1234,
    data: { task_id: taskId, status: 'completed' },
    error: '',
    timeline: [
      { status: 'running', atMs: 5 },
      { status: 'completed', atMs: 1234 }
    ],
    ...overrides
  }
}

export const views = (added: number, updated: number, deleted: number, ids: string[] = []): Record<string, unknown> => ({
  added,
  updated,
  deleted,
  detail_factual: { memory_ids: ids }
})

export const completed = (taskId: string, memories?: Record<string, unknown>): TaskResult =>
  task({ taskId, data: { task_id: taskId, status: 'completed', ...(memories ? { memory_views: memories } : {}) } })

export const failed = (taskId: string): TaskResult =>
  task({
    taskId,
    status: 'failed',
    conclusion: 'failure',
    data: { task_id: taskId, status: 'failed' },
    error: `Task ${taskId} ended with status 'failed'.`
  })

export const notFound = (taskId: string, hint = CLOUD_NOT_FOUND_HINT): TaskResult =>
  task({
    taskId,
    status: '',
    conclusion: 'error',
    attempts: 6,
    data: null,
    timeline: [],
    error: `Task ${taskId} was not found (code 50131: task not found) for 5.0s. ${hint}`
  })

export const timedOut = (taskId: string): TaskResult =>
  task({
    taskId,
    status: 'running',
    conclusion: 'timed_out',
    durationMs: 600_000,
    data: { task_id: taskId, status: 'running' },
    timeline: [{ status: 'running', atMs: 5 }],
    error: `Timed out after 10m waiting for task ${taskId} (last status 'running').`
  })

export const notWaitedFor = (taskId: string, stopper: string): TaskResult =>
  task({
    taskId,
    status: 'running',
    conclusion: 'pending',
    timeline: [{ status: 'running', atMs: 5 }],
    error: `Not waited for: fail_fast stopped the wait after task ${stopper} failed (last status 'running').`
  })

export const cancelled = (taskId: string): TaskResult =>
  task({
    taskId,
    status: 'running',
    conclusion: 'cancelled',
    timeline: [{ status: 'running', atMs: 5 }],
    error: `Cancelled while waiting for task ${taskId} (last status 'running').`
  })

export const KEY_REJECTED =
  "MemOS rejected the API key (HTTP 401). Check the 'api_key' input: it must be a MemOS API key (API Console > API Keys) of the project that created the task."

/** A task whose key MemOS refused. */
export const keyRejected = (taskId: string): TaskResult =>
  task({ taskId, conclusion: 'error', status: '', timeline: [], data: null, error: KEY_REJECTED })

export function resultOf(tasks: TaskResult[], stopReason?: WaitResult['stopReason']): WaitResult {
  return { tasks, stopReason, attempts: tasks.reduce((n, t) => n + t.attempts, 0), durationMs: 1234 }
}
