import type { TaskConclusion } from '../../src/wait/results.js'
import type { KeptTaskResult, KeptTaskResult as TaskResult, KeptWaitResult as WaitResult } from '../../src/report/kept-data.js'
import { endedAs, timedOutReason, withProblem } from '../../testing/task-results.js'
import {
  buildOutputs,
  errorOutputs,
  OUTPUT_DATA_LIMIT,
  OUTPUT_JSON_LIMIT,
  OUTPUT_NAMES,
  type RunConclusion,
  shouldFailStep
} from '../../src/report/outputs.js'

function outputsOf(tasks: TaskResult[], stopReason?: WaitResult['stopReason']): ReturnType<typeof buildOutputs> {
  return buildOutputs({ tasks, stopReason, attempts: 7, durationMs: 4321 })
}

describe('whether the step fails', () => {
  // What a user reads in action.yml: a failure fails the step unless fail_on_failure is false, a timeout unless
  // fail_on_timeout is false; an error or a cancellation always does; success never does. Every conclusion
  // with every setting of the two inputs.
  const FLAGS = [
    { failOnFailure: false, failOnTimeout: false },
    { failOnFailure: true, failOnTimeout: false },
    { failOnFailure: false, failOnTimeout: true },
    { failOnFailure: true, failOnTimeout: true }
  ] as const
  const FAILS: Record<RunConclusion, readonly [boolean, boolean, boolean, boolean]> = {
    success: [false, false, false, false],
    failure: [false, true, false, true],
    timed_out: [false, false, true, true],
    error: [true, true, true, true],
    cancelled: [true, true, true, true]
  }
  const cases = Object.entries(FAILS).flatMap(([conclusion, fails]) =>
    FLAGS.map((options, index) => [conclusion as RunConclusion, options.failOnFailure, options.failOnTimeout, fails[index]] as const)
  )

  it.each(cases)(
    '%s with fail_on_failure %p and fail_on_timeout %p fails the step: %p',
    (conclusion, failOnFailure, failOnTimeout, fails) => {
      expect(shouldFailStep(conclusion, { failOnFailure, failOnTimeout })).toBe(fails)
    }
  )
})

describe('the outputs of a batch', () => {
  it.each([
    ['every task succeeded', ['success', 'success'], undefined, 'success'],
    ['one failed', ['success', 'failure'], undefined, 'failure'],
    ['an error beats a failure', ['failure', 'error'], undefined, 'error'],
    ['only unfinished at the deadline', ['success', 'timed_out'], undefined, 'timed_out'],
    ['a failure beats a timeout', ['failure', 'timed_out'], undefined, 'failure'],
    ['cancellation beats everything', ['error', 'cancelled'], 'cancelled' as const, 'cancelled'],
    ['fail-fast leaves pending tasks', ['failure', 'pending'], 'fail_fast' as const, 'failure'],
    ['every task completed before a cancellation', ['success', 'success'], 'cancelled' as const, 'success']
  ])('give the conclusion when %s', (_name, conclusions, stopReason, expected) => {
    const tasks = conclusions.map((conclusion, index) => endedAs(`t${index}`, conclusion as TaskConclusion))
    expect(buildOutputs({ tasks, stopReason, attempts: 2, durationMs: 5 }).conclusion).toBe(expected)
  })

  const batch = [
    endedAs('done-1', 'success'),
    endedAs('broken', 'failure'),
    endedAs('slow', 'timed_out'),
    endedAs('crashed', 'error'),
    endedAs('done-2', 'success')
  ]

  it('list the statuses in input order and name the failed and the unfinished tasks', () => {
    const outputs = outputsOf(batch)
    expect(outputs.status).toBe('completed,failed,running,,completed')
    expect(outputs.failed_task_ids).toBe('broken,crashed')
    expect(outputs.pending_task_ids).toBe('slow')
    expect(outputs.attempts).toBe('7')
    expect(outputs.duration_ms).toBe('4321')
  })

  it('explain the conclusion with a count line and the reasons of the failed tasks first', () => {
    expect(outputsOf(batch).error).toBe(
      "2 completed, 1 failed, 1 errored, 1 still running at the timeout. Task broken ended with status 'failed'. " +
        "Task crashed was not found (code 50131: task not found) for 5.0s. Check that 'task_id' is right and that 'api_key' belongs to the project that created the task. " +
        "Timed out after 10m waiting for task slow (last status 'running')."
    )
  })

  it("count the tasks the server's rate limit stopped apart from those the timeout stopped", () => {
    const limited = { ...timedOutReason('running'), rateLimited: { nextAtMs: 660_000, stoppedAtMs: 10_400 } }
    const tasks = [endedAs('a', 'success'), endedAs('b', 'timed_out', { reason: limited }), endedAs('c', 'timed_out')]
    expect(outputsOf(tasks).error).toBe(
      "1 completed, 1 still running at the timeout, 1 still running when the server's rate limit stopped the wait. " +
        "The server's rate limit allows no request before the timeout (next at 11m, timeout 10m); stopped after 10.4s waiting for task b (last status 'running'). " +
        "Timed out after 10m waiting for task c (last status 'running')."
    )
  })

  it('name three problems and count the rest', () => {
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((id) => endedAs(id, 'failure'))
    expect(outputsOf(tasks).error).toBe(
      "5 failed. Task a ended with status 'failed'. Task b ended with status 'failed'. Task c ended with status 'failed'. (and 2 more)"
    )
  })

  it('count cancelled tasks and tasks fail_fast left unwaited', () => {
    const cancelled = outputsOf([endedAs('a', 'success'), endedAs('b', 'cancelled'), endedAs('c', 'cancelled')], 'cancelled')
    expect(cancelled.error).toMatch(/^1 completed, 2 cancelled\. /)
    expect(cancelled.pending_task_ids).toBe('b,c')
    expect(outputsOf([endedAs('a', 'failure'), endedAs('b', 'pending')], 'fail_fast').error).toMatch(/^1 failed, 1 not waited for\. /)
    expect(outputsOf([endedAs('a', 'failure'), endedAs('b', 'pending')], 'fail_fast').pending_task_ids).toBe('b')
  })

  it('cut a long status where a reason quotes it, before the reason itself', () => {
    const status = 'S'.repeat(500)
    const outputs = outputsOf([endedAs('a', 'failure', { status, reason: { kind: 'failed', status } })])
    expect(outputs.error).toBe(`Task a ended with status '${'S'.repeat(99)}…'.`)
  })

  it('have no error when every task completed', () => {
    expect(outputsOf([endedAs('a', 'success'), endedAs('b', 'success')]).error).toBe('')
  })

  it('give result as the data of each task, in input order', () => {
    const outputs = outputsOf([endedAs('a', 'success'), endedAs('b', 'failure', { data: null })])
    expect(JSON.parse(outputs.result)).toEqual([{ task_id: 'a', status: 'completed' }, null])
    expect(JSON.parse(outputs.tasks)).toEqual([
      {
        task_id: 'a',
        status: 'completed',
        conclusion: 'success',
        attempts: 3,
        duration_ms: 1234,
        data: { task_id: 'a', status: 'completed' },
        error: ''
      },
      {
        task_id: 'b',
        status: 'failed',
        conclusion: 'failure',
        attempts: 3,
        duration_ms: 1234,
        data: null,
        error: "Task b ended with status 'failed'."
      }
    ])
  })
})

describe('the outputs of one task', () => {
  it('give result as the data object itself and the error as the task error', () => {
    const outputs = outputsOf([endedAs('only', 'failure')])
    expect(JSON.parse(outputs.result)).toEqual({ task_id: 'only', status: 'failed' })
    expect(outputs.error).toBe("Task only ended with status 'failed'.")
  })

  it('give result null when MemOS returned no data', () => {
    expect(outputsOf([endedAs('only', 'timed_out', { data: null })]).result).toBe('null')
  })

  it.each([
    ['exactly at the limit is kept', 0, false],
    ['one byte over the limit is left out', 1, true]
  ])('data %s', (_name, extra, leftOut) => {
    // {"blob":"…"} is 11 bytes around the string.
    const data = { blob: 'x'.repeat(OUTPUT_DATA_LIMIT - 11 + extra) }
    const outputs = outputsOf([endedAs('only', 'success', { data })])
    expect(JSON.parse(outputs.result)._truncated !== undefined).toBe(leftOut)
    expect(JSON.parse(outputs.tasks)[0].data._truncated !== undefined).toBe(leftOut)
  })

  it('drop the data of every task from a batch whose outputs would pass the limit, but keep the task list', () => {
    const tasks = Array.from({ length: 20 }, (_, index) => endedAs(`t${index}`, 'success', { data: { blob: 'w'.repeat(40_000) } }))
    tasks.push(endedAs('no-data', 'success', { data: null }))
    const outputs = outputsOf(tasks)
    const results = JSON.parse(outputs.result) as Array<{ _truncated?: string } | null>
    expect(results.slice(0, 20).every((data) => data?._truncated !== undefined)).toBe(true)
    // A task that returned no data still shows null, not a note about data left out.
    expect(results[20]).toBeNull()
    const listed = JSON.parse(outputs.tasks) as Array<{ task_id: string; data: { _truncated?: string } | null }>
    expect(listed.map((entry) => entry.task_id)).toEqual(tasks.map((entry) => entry.taskId))
    expect(listed.slice(0, 20).every((entry) => entry.data?._truncated !== undefined)).toBe(true)
    expect(listed[20]?.data).toBeNull()
  })

  it.each(['tasks', 'result'] as const)('keep every data object in %s when that output is exactly at the limit', (output) => {
    // Eleven tasks of about 48 KiB each; the last one's data is sized so that the output is exactly 512 KiB.
    const batchWithLastBlob = (length: number): TaskResult[] =>
      Array.from({ length: 11 }, (_, index) =>
        endedAs(`t${index}`, 'success', { data: { blob: 'w'.repeat(index === 10 ? length : 48_000) } })
      )
    const probe = 10_000
    const length = probe + OUTPUT_JSON_LIMIT - Buffer.byteLength(outputsOf(batchWithLastBlob(probe))[output])
    const outputs = outputsOf(batchWithLastBlob(length))
    expect(Buffer.byteLength(outputs[output])).toBe(OUTPUT_JSON_LIMIT)
    expect(outputs[output]).not.toContain('_truncated')
    // A byte more, and every data object gives way to a note.
    expect(outputsOf(batchWithLastBlob(length + 1))[output]).toContain('"_truncated":"data of 48011 bytes left out of this output')
  })
})

describe('the tasks output of a batch too large to list whole', () => {
  // Tasks without data, whose long reasons alone pass the limit: `tasks` keeps as many as fit, in order.
  const withReason = (index: number, length: number): TaskResult =>
    endedAs(`t${index}`, 'failure', { data: null, ...withProblem('r'.repeat(length)) })

  function batchEndingAtLimit(): KeptTaskResult[] {
    const probe = 10_000
    const eleven = (length: number): KeptTaskResult[] =>
      Array.from({ length: 11 }, (_, index) => withReason(index, index === 10 ? length : 45_000))
    const length = probe + OUTPUT_JSON_LIMIT - Buffer.byteLength(outputsOf(eleven(probe)).tasks)
    return eleven(length)
  }

  it('keeps the task whose entry ends exactly at the limit, and leaves out the next', () => {
    const tasks = [...batchEndingAtLimit(), withReason(11, 10)]
    const outputs = outputsOf(tasks)
    expect(Buffer.byteLength(outputs.tasks)).toBe(OUTPUT_JSON_LIMIT)
    expect((JSON.parse(outputs.tasks) as Array<{ task_id: string }>).map((entry) => entry.task_id)).toEqual(
      tasks.slice(0, 11).map((t) => t.taskId)
    )
    expect(outputs.failed_task_ids.split(',')).toHaveLength(12)
  })

  it('lists every task while they fit exactly', () => {
    const tasks = batchEndingAtLimit()
    expect(JSON.parse(outputsOf(tasks).tasks)).toHaveLength(11)
  })
})

describe('the outputs when the wait never ran', () => {
  it('set every output, with the error as the reason, and list each task that was asked for as not waited for', () => {
    const outputs = errorOutputs(['a', 'b'], "Input 'timeout' has an invalid duration 'soon'.", 12)
    expect(Object.keys(outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
    expect(outputs).toMatchObject({
      conclusion: 'error',
      status: ',',
      result: '[null,null]',
      failed_task_ids: '',
      pending_task_ids: 'a,b',
      attempts: '0',
      duration_ms: '12',
      error: "Input 'timeout' has an invalid duration 'soon'."
    })
    expect(JSON.parse(outputs.tasks)).toEqual(
      ['a', 'b'].map((id) => ({
        task_id: id,
        status: '',
        conclusion: 'pending',
        attempts: 0,
        duration_ms: 12,
        data: null,
        error: 'Not waited for: the step stopped on an error (see the error output).'
      }))
    )
  })

  it('set result to null and tasks to an empty list when no task id could be read', () => {
    const outputs = errorOutputs([], "Input 'task_id' is required.", 3)
    expect(outputs).toMatchObject({ conclusion: 'error', result: 'null', tasks: '[]', status: '', failed_task_ids: '' })
    expect(outputs.error).toBe("Input 'task_id' is required.")
  })
})
