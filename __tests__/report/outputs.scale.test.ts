/** The outputs of large batches, of stops that leave tasks unwaited, and of a wait that never ran. */
import type { TaskConclusion } from '../../src/wait/results.js'
import type { KeptWaitResult, KeptWaitResult as WaitResult } from '../../src/report/kept-data.js'
import { buildOutputs, errorOutputs, OUTPUT_JSON_LIMIT, tasksOutputNote } from '../../src/report/outputs.js'
import { endedAs } from '../../testing/task-results.js'

/** GitHub refuses a step output over 1 MB. */
const GITHUB_OUTPUT_LIMIT = 1_000_000

function uuid(index: number): string {
  return `c464e17e-f2ff-4e9a-a2c2-${String(index).padStart(12, '0')}`
}

function batch(count: number, conclusionOf: (index: number) => TaskConclusion, stopReason?: WaitResult['stopReason']): WaitResult {
  const tasks = Array.from({ length: count }, (_, index) =>
    endedAs(uuid(index), conclusionOf(index), {
      attempts: 12,
      durationMs: 123_456,
      data: { task_id: uuid(index), status: 'completed', memory_views: { added: 1, updated: 0 } }
    })
  )
  return { tasks, stopReason, attempts: count * 12, durationMs: 600_000 }
}

describe('the outputs of 10,000 tasks', () => {
  it.each([
    ['all completed', (): TaskConclusion => 'success'],
    [
      'every tenth failed, every tenth timed out',
      (index: number): TaskConclusion => (index % 10 === 3 ? 'failure' : index % 10 === 7 ? 'timed_out' : 'success')
    ],
    ['all still running at the timeout', (): TaskConclusion => 'timed_out']
  ])('each stay under the 1 MB limit: %s', (_name, conclusionOf) => {
    const outputs = buildOutputs(batch(10_000, conclusionOf))
    for (const [name, value] of Object.entries(outputs))
      expect([name, Buffer.byteLength(value) < GITHUB_OUTPUT_LIMIT]).toEqual([name, true])
    expect(Buffer.byteLength(outputs.tasks)).toBeLessThanOrEqual(OUTPUT_JSON_LIMIT)
    // Even a note per task would not fit: each task's data is null, one entry per task.
    expect(JSON.parse(outputs.result)).toEqual(Array.from({ length: 10_000 }, () => null))
    expect(outputs.status.split(',')).toHaveLength(10_000)
  })

  it('keep every task that did not succeed in `tasks`, in input order, before successful ones', () => {
    const result = batch(10_000, (index) => (index % 10 === 3 ? 'failure' : index % 10 === 7 ? 'timed_out' : 'success'))
    const outputs = buildOutputs(result)
    const listed = JSON.parse(outputs.tasks) as Array<{ task_id: string; conclusion: string }>
    const unsuccessful = result.tasks.filter((entry) => entry.conclusion !== 'success').map((entry) => entry.taskId)
    expect(listed.filter((entry) => entry.conclusion !== 'success').map((entry) => entry.task_id)).toEqual(unsuccessful)
    const successful = listed.filter((entry) => entry.conclusion === 'success').map((entry) => entry.task_id)
    expect(successful.length).toBeGreaterThan(0)
    expect(successful).toEqual(
      result.tasks
        .filter((entry) => entry.conclusion === 'success')
        .map((entry) => entry.taskId)
        .slice(0, successful.length)
    )
    const order = listed.map((entry) => Number(entry.task_id.slice(-12)))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(outputs.failed_task_ids.split(',')).toHaveLength(1000)
    expect(outputs.pending_task_ids.split(',')).toHaveLength(1000)
    expect(tasksOutputNote(outputs, 10_000)).toBe(
      `The tasks output lists ${listed.length} of 10000 tasks, those that did not succeed first, to stay under ` +
        'the 1 MB limit of a step output; failed_task_ids and pending_task_ids name every task.'
    )
  })

  it('keep every task in `tasks`, with its data, while they fit', () => {
    const outputs = buildOutputs(batch(1000, () => 'success'))
    const listed = JSON.parse(outputs.tasks) as Array<{ data: { memory_views?: object } }>
    expect(listed).toHaveLength(1000)
    expect(listed.every((entry) => entry.data.memory_views !== undefined)).toBe(true)
    expect(tasksOutputNote(outputs, 1000)).toBe('')
  })
})

describe('the error output of a stopped batch', () => {
  it('names the tasks fail_fast left unwaited once, instead of repeating the reason for each', () => {
    const result = batch(6, (index) => (index === 0 ? 'failure' : index === 1 ? 'success' : 'pending'), 'fail_fast')
    const { error } = buildOutputs(result)
    expect(error).toBe(
      `1 completed, 1 failed, 4 not waited for. Task ${uuid(0)} ended with status 'failed'. ` +
        `fail_fast stopped the wait there; not waited for: ${[2, 3, 4, 5].map(uuid).join(', ')}.`
    )
  })

  it.each<[string, KeptWaitResult['stopReason'], string]>([
    ['fail_fast', 'fail_fast', 'fail_fast stopped the wait there'],
    ['a problem with the key', 'fatal', 'That stopped the wait for every task'],
    ['a cancellation', 'cancelled', 'The wait stopped early'],
    ['no reason given', undefined, 'The wait stopped early']
  ])('says why the wait stopped after %s', (_name, stopReason, why) => {
    const result = batch(3, (index) => (index === 0 ? 'failure' : 'pending'), stopReason)
    expect(buildOutputs(result).error).toMatch(new RegExp(`'failed'\\. ${why}; not waited for: ${uuid(1)}, ${uuid(2)}\\.$`))
  })

  it('names all of exactly ten unwaited tasks', () => {
    const result = batch(11, (index) => (index === 0 ? 'failure' : 'pending'), 'fail_fast')
    expect(buildOutputs(result).error).toMatch(new RegExp(`not waited for: ${uuid(1)}, .*, ${uuid(10)}\\.$`))
  })

  it('names the first ten unwaited tasks and counts the rest', () => {
    const result = batch(5000, (index) => (index === 0 ? 'failure' : 'pending'), 'fail_fast')
    const { error, pending_task_ids } = buildOutputs(result)
    expect(error).toContain(`not waited for: ${uuid(1)}, `)
    expect(error).toMatch(new RegExp(`${uuid(10)} and 4989 more\\.$`))
    expect(error.length).toBeLessThan(1000)
    expect(pending_task_ids.split(',')).toHaveLength(4999)
  })
})

describe('the outputs when the wait never ran', () => {
  it('list the ids that were read as not waited for, and keep the error', () => {
    const outputs = errorOutputs(['a', 'b'], "Input 'timeout' has an invalid duration 'soon'.", 3)
    expect(outputs).toMatchObject({
      conclusion: 'error',
      pending_task_ids: 'a,b',
      failed_task_ids: '',
      error: "Input 'timeout' has an invalid duration 'soon'."
    })
    expect(JSON.parse(outputs.tasks)).toMatchObject([
      { task_id: 'a', conclusion: 'pending', attempts: 0 },
      { task_id: 'b', conclusion: 'pending', attempts: 0 }
    ])
  })

  it('are empty lists when no id could be read', () => {
    expect(errorOutputs([], "Input 'task_id' or 'task_id_file' is required.", 3)).toMatchObject({
      tasks: '[]',
      result: 'null',
      pending_task_ids: '',
      conclusion: 'error'
    })
  })
})
