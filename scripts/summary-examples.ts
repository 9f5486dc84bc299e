/**
 * Typical runs, as the wait loop reports them, for the summary's screenshots and tests: one task that added
 * memories, a batch where some tasks had problems, a large batch, and a step with bad inputs.
 */
import type { KeptTaskResult, KeptWaitResult } from '../src/report/kept-data.js'
import { task } from '../testing/task-results.js'
import { CLOUD_NOT_FOUND_HINT } from '../src/memos/cloud-client.js'

export const CLOUD = 'MemOS Cloud (memos.memtensor.cn)'
export const TIMEOUT_MS = 600_000

function memoryViews(added: number, updated: number, deleted: number, seed: number): Record<string, unknown> {
  const ids = (n: number, offset: number): string[] =>
    Array.from({ length: n }, (_, i) => `memos_mem_${String(seed * 10 + offset + i).padStart(4, '0')}`)
  const factual = Math.ceil((added + updated) / 2)
  return {
    added,
    updated,
    deleted,
    detail_factual: { memory_ids: ids(factual, 0) },
    preference: { memory_ids: ids(added + updated - factual, factual) }
  }
}

export function completedTask(taskId: string, seed: number, durationMs: number, memories: [number, number, number]): KeptTaskResult {
  return task({
    taskId,
    attempts: Math.max(2, Math.round(durationMs / 1500)),
    durationMs,
    data: { task_id: taskId, status: 'completed', memory_views: memoryViews(...memories, seed) },
    timeline: [
      { status: 'running', atMs: 180 + (seed % 5) * 20 },
      { status: 'completed', atMs: durationMs }
    ]
  })
}

function result(tasks: KeptTaskResult[], stopReason?: KeptWaitResult['stopReason']): KeptWaitResult {
  return {
    tasks,
    stopReason,
    attempts: tasks.reduce((n, task) => n + task.attempts, 0),
    durationMs: Math.max(...tasks.map((task) => task.durationMs))
  }
}

/** One task, completed, with the memories it changed. */
export function oneTaskCompleted(): KeptWaitResult {
  return result([completedTask('c464e17e-f2ff-4e9a-a2c2-41cc55ab43b9', 1, 4_215, [3, 1, 2])])
}

/** Twelve tasks, `fail_fast: false`: eight completed, two failed, one never found, one still running at the timeout. */
export function batchWithProblems(): KeptWaitResult {
  const ids = [
    'a1f3c2d4-0b7e-4d51-9a3c-1e2f3a4b5c6d',
    'b2e4d3c5-1c8f-4e62-8b4d-2f3a4b5c6d7e',
    'c3f5e4d6-2d9a-4f73-9c5e-3a4b5c6d7e8f',
    'd4a6f5e7-3e0b-4a84-8d6f-4b5c6d7e8f9a',
    'e5b7a6f8-4f1c-4b95-9e7a-5c6d7e8f9a0b',
    'f6c8b7a9-5a2d-4ca6-8f8b-6d7e8f9a0b1c',
    '07d9c8ba-6b3e-4db7-9a9c-7e8f9a0b1c2d',
    '18eadacb-7c4f-4ec8-8bad-8f9a0b1c2d3e',
    '29fbebdc-8d5a-4fd9-9cbe-9a0b1c2d3e4f',
    '3a0cfced-9e6b-4aea-8dcf-0b1c2d3e4f5a',
    '4b1d0dfe-af7c-4bfb-9ed0-1c2d3e4f5a6b',
    '5c2e1e0f-b08d-4c0c-8fe1-2d3e4f5a6b7c'
  ] as const
  const tasks: KeptTaskResult[] = ids.map((id, index) =>
    completedTask(id, index + 2, 3_000 + index * 1_700, [index % 4, index % 3 === 0 ? 1 : 0, index === 5 ? 1 : 0])
  )
  tasks[2] = {
    ...failed(ids[2], 9_840),
    timeline: [
      { status: 'running', atMs: 210 },
      { status: 'failed', atMs: 9_840 }
    ]
  }
  tasks[6] = failed(ids[6], 21_330)
  tasks[9] = task({
    taskId: ids[9],
    status: '',
    conclusion: 'error',
    attempts: 7,
    durationMs: 5_620,
    data: null,
    reason: { kind: 'not_found', problem: 'code 50131: task not found', forMs: 5_400, hint: CLOUD_NOT_FOUND_HINT },
    timeline: []
  })
  tasks[11] = task({
    taskId: ids[11],
    status: 'running',
    conclusion: 'timed_out',
    attempts: 31,
    durationMs: TIMEOUT_MS,
    data: { task_id: ids[11], status: 'running' },
    reason: {
      kind: 'timed_out',
      lastStatus: 'running',
      timeoutMs: TIMEOUT_MS,
      attempts: 31,
      lastProblem: '',
      problems: [],
      unreached: undefined
    },
    timeline: [{ status: 'running', atMs: 230 }]
  })
  return result(tasks)
}

function failed(taskId: string, durationMs: number): KeptTaskResult {
  return task({
    taskId,
    status: 'failed',
    conclusion: 'failure',
    attempts: Math.round(durationMs / 1500),
    durationMs,
    data: { task_id: taskId, status: 'failed' },
    reason: { kind: 'failed', status: 'failed' },
    timeline: [
      { status: 'running', atMs: 190 },
      { status: 'failed', atMs: durationMs }
    ]
  })
}

/** `count` tasks of which every tenth failed, the others completed, as a batch import might end. */
export function largeBatch(count: number): KeptWaitResult {
  const tasks = Array.from({ length: count }, (_, index) => {
    const id = `import-${String(index + 1).padStart(4, '0')}`
    const durationMs = 2_000 + ((index * 7_919) % 40_000)
    return index % 10 === 3 ? failed(id, durationMs) : completedTask(id, index, durationMs, [1 + (index % 3), index % 2, 0])
  })
  return result(tasks)
}

/** What the action says of two bad inputs. */
export const TWO_BAD_INPUTS = {
  lead: 'Invalid inputs:',
  items: [
    "Input 'timeout' has an invalid duration 'ten minutes'. Use seconds (600) or a duration such as 250ms, 90s, 5m or 1h30m.",
    "Input 'fail_fast' is 'yes', but it must be 'true' or 'false'."
  ]
}
