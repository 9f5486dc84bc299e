import { CLOUD_NOT_FOUND_HINT } from '../../src/memos/cloud-client.js'
import type { KeptTaskResult, KeptWaitResult } from '../../src/report/kept-data.js'
import { buildOutputs, OUTPUT_JSON_LIMIT } from '../../src/report/outputs.js'
import { selfHostedNotFoundHint } from '../../src/memos/self-hosted-client.js'
import { buildErrorSummary, buildSummary, DEFAULT_SUMMARY_LIMITS, type RunProblem, type SummaryContext } from '../../src/report/summary.js'
import { InputError } from '../../src/settings/read-settings.js'
import { ACTION_VERSION } from '../../src/shared/version.js'
import { batchWithProblems, largeBatch } from '../../scripts/summary-examples.js'
import { render, type Rendered } from '../../testing/rendered.js'
import {
  cancelled,
  kept,
  CLOUD,
  completed,
  failed,
  keyRejected,
  notFound,
  notWaitedFor,
  resultOf,
  SELF_HOSTED,
  task,
  timedOut,
  timedOutReason,
  withProblem,
  views
} from '../../testing/task-results.js'

function summaryOf(tasks: KeptTaskResult[], stopReason?: KeptWaitResult['stopReason'], context = CLOUD): string {
  const result = resultOf(tasks, stopReason)
  return buildSummary(result, buildOutputs(result), context)
}

const squash = (text: string): string => text.replace(/\s+/g, ' ')

/** What every summary must give a reader, whatever happened. */
function expectReadable(page: Rendered, tasks: KeptTaskResult[]): void {
  for (const table of page.tables()) {
    for (const row of table.rows) expect(row).toHaveLength(table.header.length)
  }
  for (const line of page.lines()) expect(line.length).toBeLessThanOrEqual(450)
  // Data is shown only in folds, where its long lines scroll.
  expect(page.unfoldedCount('pre')).toBe(0)
  // Every task that did not succeed has a row, with a reason, outside any fold.
  const open = page.tables().filter((table) => !table.folded)
  for (const problem of tasks.filter((t) => t.conclusion !== 'success')) {
    const rows = open.flatMap((table) => table.rows.map((row) => ({ row, reason: table.header.indexOf('Reason') })))
    const mine = rows.find(({ row }) => row[0] === problem.taskId)
    expect(mine).toBeDefined()
    if (tasks.length > 1) expect(mine?.row[mine.reason]?.length).toBeGreaterThan(10)
  }
}

interface Scenario {
  tasks: KeptTaskResult[]
  stopReason?: KeptWaitResult['stopReason']
  context?: SummaryContext
  heading: string
  /** Shown with every fold closed. */
  visible: string[]
  /** Nowhere on the page. */
  absent?: string[]
}

const SCENARIOS: Record<string, Scenario> = {
  'one task completed, with the memories it changed': {
    tasks: [completed('task-1', views(3, 1, 2, ['memos_mem_001']))],
    heading: '✅ MemOS task completed',
    visible: ['Memories: +3 added · 1 updated · 2 deleted', 'task-1', 'Memory ids (1)'],
    absent: ['Reason']
  },
  'one task completed on a self-hosted server, which reports no memories': {
    tasks: [completed('task-1')],
    context: SELF_HOSTED,
    heading: '✅ MemOS task completed',
    visible: ['the self-hosted MemOS server at localhost:8000'],
    absent: ['Memories', 'added', 'Memory ids']
  },
  'one task failed on the cloud': {
    tasks: [failed('task-1')],
    heading: '❌ MemOS task failed',
    visible: ["Reason: Task task-1 ended with status 'failed'.", 'Next step:', 'MemOS console']
  },
  'one task failed on a self-hosted server': {
    tasks: [failed('task-1')],
    context: SELF_HOSTED,
    heading: '❌ MemOS task failed',
    visible: ["ended with status 'failed'", "the MemOS server's log"],
    absent: ['console']
  },
  'one task not found on the cloud': {
    tasks: [notFound('task-1')],
    heading: '⚠️ MemOS task not found',
    visible: ['Task task-1 was not found (code 50131: task not found) for 5.0s.', CLOUD_NOT_FOUND_HINT],
    absent: ['Next step']
  },
  'one task not found on a self-hosted server': {
    tasks: [notFound('task-1', selfHostedNotFoundHint('alice'))],
    context: SELF_HOSTED,
    heading: '⚠️ MemOS task not found',
    visible: ["'user_id' ('alice')", 'Redis'],
    absent: ['api_key']
  },
  'one task still running at the timeout': {
    tasks: [timedOut('task-1')],
    heading: '⏱️ MemOS task still running at the timeout',
    visible: ["(last status 'running')", 'raise timeout']
  },
  'one task whose key was rejected': {
    tasks: [keyRejected('task-1')],
    stopReason: 'fatal',
    heading: '⚠️ MemOS task could not be checked',
    visible: ["Check the 'api_key' input"]
  },
  'one task, cancelled': {
    tasks: [cancelled('task-1')],
    stopReason: 'cancelled',
    heading: '🚫 Wait for MemOS task cancelled',
    visible: ["Cancelled while waiting for task task-1 (last status 'running')."]
  },
  'a batch where every task completed': {
    tasks: [completed('a', views(1, 0, 0)), completed('b', views(2, 1, 0)), completed('c', views(0, 0, 1))],
    heading: '✅ 3 MemOS tasks completed',
    visible: ['Memories: +3 added · 1 updated · 1 deleted, in all 3 tasks', '+2 added · 1 updated', '1 deleted'],
    absent: ['Did not succeed', 'Timeline']
  },
  'a batch with failures, a task not found and a timeout': {
    tasks: [completed('a', views(2, 0, 0)), failed('b'), notFound('c'), completed('d'), timedOut('e'), failed('f')],
    heading: '❌ 2 of 6 MemOS tasks failed, 1 not found, 1 still running at the timeout',
    visible: [
      'Memories: +2 added · 0 updated · 0 deleted, in 1 of 6 tasks',
      'Did not succeed (4)',
      "Task ended with status 'failed'.",
      CLOUD_NOT_FOUND_HINT,
      'raise timeout',
      'MemOS console',
      'Completed (2)'
    ]
  },
  'a batch that fail_fast stopped': {
    tasks: [failed('b'), notWaitedFor('c', 'b'), notWaitedFor('d', 'b'), completed('a')],
    stopReason: 'fail_fast',
    heading: '❌ 1 of 4 MemOS tasks failed, 2 not waited for',
    visible: ['fail_fast stopped the wait when task b failed. Set fail_fast: false to wait for every task.']
  },
  'a batch whose key was rejected': {
    tasks: [keyRejected('a'), notWaitedFor('b', 'a')],
    stopReason: 'fatal',
    heading: '⚠️ 1 of 2 MemOS tasks could not be checked, 1 not waited for',
    visible: ["Check the 'api_key' input", 'stopped the wait for every task']
  },
  'a cancelled batch': {
    tasks: [completed('a'), failed('b'), cancelled('c'), cancelled('d')],
    stopReason: 'cancelled',
    heading: '🚫 2 of 4 MemOS tasks cancelled, 1 failed',
    visible: ['the run was cancelled']
  }
}

describe('the job summary, as GitHub shows it', () => {
  it.each(Object.entries(SCENARIOS))('%s', (_name, scenario) => {
    const context = scenario.context ?? CLOUD
    const page = render(summaryOf(scenario.tasks, scenario.stopReason, context))
    expect(page.headings()[0]).toBe(scenario.heading)
    const visible = squash(page.visibleText())
    for (const text of scenario.visible) expect(visible).toContain(text)
    for (const text of scenario.absent ?? []) expect(page.html).not.toContain(text)
    expect(visible).toContain(`Wait for MemOS task ${ACTION_VERSION} asked ${context.serverName}.`)
    expect(visible).not.toMatch(/\+0 added|Error while waiting/)
    expectReadable(page, scenario.tasks)
  })

  it('says why fail_fast stopped the wait once, not once per task', () => {
    const tasks = [failed('b'), ...Array.from({ length: 5 }, (_, i) => notWaitedFor(`p${i}`, 'b'))]
    const visible = squash(render(summaryOf(tasks, 'fail_fast')).visibleText())
    expect(visible.match(/fail_fast stopped the wait/g)).toHaveLength(1)
  })

  it('lists the tasks that did not succeed first, errors before failures before timeouts', () => {
    const page = render(summaryOf([completed('a'), timedOut('t'), failed('f'), notFound('n'), completed('b')]))
    const [problems, successes] = page.tables()
    expect(problems?.rows.map((row) => row[0])).toEqual(['f', 'n', 't'])
    expect(problems?.rows.map((row) => row[1])).toEqual(['❌ failed', '⚠️ not found', '⏱️ timed out'])
    expect(successes?.rows.map((row) => row[0])).toEqual(['a', 'b'])
  })

  it.each([
    ['a few dozen completed tasks stay in view', 30, false],
    ['more completed tasks fold into one block', 31, true]
  ])('%s', (_name, count, folded) => {
    const tasks = [
      failed('f1'),
      timedOut('t1'),
      ...Array.from({ length: count }, (_, i) => completed(`ok-${i}`, views(1, 0, 0, [`m${i}`])))
    ]
    const page = render(summaryOf(tasks))
    const successes = page.tables().find((table) => table.rows.some((row) => row[0] === 'ok-0'))
    expect(successes?.folded).toBe(folded)
    expect(page.count('details')).toBeLessThanOrEqual(3)
    expectReadable(page, tasks)
  })

  it.each([
    [5, false],
    [50, true],
    [500, true]
  ])('reads the same way for an import of %i tasks, every tenth failed', (count, folded) => {
    const { tasks } = largeBatch(count)
    const page = render(summaryOf(tasks))
    const failures = tasks.filter((t) => t.conclusion === 'failure').length
    expect(page.headings()[0]).toBe(`❌ ${failures} of ${count} MemOS tasks failed`)
    expect(page.tables().find((table) => table.header.includes('Memories'))?.folded).toBe(folded)
    expect(page.count('details')).toBeLessThanOrEqual(3)
    expectReadable(page, tasks)
  })

  it('shows the batch of the README picture as the README describes it', () => {
    const { tasks } = batchWithProblems()
    const page = render(summaryOf(tasks))
    expect(page.headings()[0]).toBe('❌ 2 of 12 MemOS tasks failed, 1 not found, 1 still running at the timeout')
    expectReadable(page, tasks)
  })

  it('shows timelines only for the tasks that did not succeed, and data only where it says more than the status', () => {
    const telling = { ...failed('f2'), data: kept({ task_id: 'f2', status: 'failed', detail: 'quota of the MemCube exceeded' }) }
    const summary = summaryOf([completed('ok'), failed('f1'), telling])
    const fold = summary.slice(summary.indexOf('<details><summary>Timelines'))
    expect(fold).toContain('**f1**')
    expect(fold).toContain('**f2**')
    expect(fold).not.toContain('**ok**')
    expect(fold.match(/<pre>/g)).toHaveLength(1)
    expect(fold).toContain('quota of the MemCube exceeded')
  })

  it('folds the memory ids, once for a batch', () => {
    const page = render(summaryOf([completed('a', views(2, 0, 0, ['mem-a1', 'mem-a2'])), completed('b', views(1, 0, 0, ['mem-b1']))]))
    expect(page.visibleText()).not.toContain('mem-a1')
    expect(page.html).toContain('mem-a1')
    expect(squash(page.visibleText())).toContain('Memory ids (3)')
    expect(page.count('details')).toBe(1)
  })
})

const HOSTILE =
  '<script>alert(1)</script> <img src=x onerror=alert(1)> [click](https://evil.example) **bold** _em_ `code` | pipe | ![img](x) www.evil.example user@evil.example ~~gone~~ </details></td>'

describe('the job summary with hostile or huge server text', () => {
  function hostileBatch(text: string): KeptTaskResult[] {
    const long = `${text} ${'x'.repeat(5000)}`
    return [
      task({
        taskId: 'a',
        status: long,
        conclusion: 'failure',
        reason: { kind: 'failed', status: long },
        timeline: [{ status: long, atMs: 1 }],
        data: { status: long, note: '</code></pre></details><script>x</script>' }
      }),
      task({
        taskId: 'b',
        status: long,
        conclusion: 'timed_out',
        reason: timedOutReason(long),
        timeline: [{ status: long, atMs: 1 }]
      }),
      task({
        taskId: 'c',
        status: long,
        data: { status: long, memory_views: { added: 1, updated: 0, deleted: 0, [text]: { memory_ids: [long, text] } } }
      })
    ]
  }

  const ELEMENTS = [
    'a',
    'img',
    'script',
    'strong',
    'em',
    'code',
    'del',
    'h2',
    'h3',
    'details',
    'table',
    'tr',
    'td',
    'li',
    'blockquote',
    'pre'
  ]
  const counts = (page: Rendered): Record<string, number> => Object.fromEntries(ELEMENTS.map((name) => [name, page.count(name)]))

  it.each([
    ['a batch', (text: string) => hostileBatch(text)],
    ['a single task', (text: string) => hostileBatch(text).slice(0, 1)]
  ])('has the same elements as with harmless text, in %s', (_name, tasks) => {
    const page = render(summaryOf(tasks(HOSTILE)))
    expect(counts(page)).toEqual(counts(render(summaryOf(tasks('harmless text')))))
    expect(page.count('a') + page.count('img') + page.count('script')).toBe(0)
    expectReadable(page, tasks(HOSTILE))
  })

  it('cuts a 5,000-character status in the table, the timeline and the error output', () => {
    const long = 'S'.repeat(5000)
    const result = resultOf([
      task({
        status: long,
        conclusion: 'failure',
        reason: { kind: 'failed', status: long },
        timeline: [{ status: long, atMs: 1 }]
      })
    ])
    const outputs = buildOutputs(result)
    const page = render(buildSummary(result, outputs, CLOUD))
    expect(outputs.error).toMatch(/^Task task-1 ended with status 'S{99}…'\.$/)
    const [table] = page.tables()
    for (const cell of table?.rows[0] ?? []) expect(cell.length).toBeLessThanOrEqual(100)
    expect(page.lines().find((line) => line.includes('SSSS') && line.length > 150)).toBeUndefined()
  })

  it('truncates large data and says so', () => {
    const summary = summaryOf([task({ data: { status: 'completed', blob: 'x'.repeat(3 * 1024 * 1024) } })])
    expect(Buffer.byteLength(summary)).toBeLessThan(64 * 1024)
    expect(summary).toMatch(/… truncated: showing 32768 of \d+ bytes/)
  })

  it.each([
    [
      3_000,
      'completed',
      (i: number) => completed(`batch-task-${i}-${'x'.repeat(90)}`, views(1, 1, 0, ['m1', 'm2'])),
      /\d+ more completed tasks/
    ],
    [
      3_000,
      'timed out',
      (i: number) => ({ ...timedOut(`t${i}`), ...withProblem(`Timed out: ${HOSTILE} ${'&'.repeat(400)}`) }),
      /\d+ more \d+ timed out/
    ],
    [10_000, 'completed', (i: number) => completed(`t${i}`, views(1, 0, 0, [`m${i}`])), /\d+ more completed tasks/],
    [
      10_000,
      'failed',
      (i: number) => ({ ...failed(`batch-task-${i}-${'|'.repeat(90)}`), data: kept({ status: 'failed', why: 'y'.repeat(20_000) }) }),
      /\d+ more \d+ failed/
    ]
  ])('stays within its budget with %i tasks that %s, and counts what it leaves out', (count, _kind, make, leftOut) => {
    const tasks = Array.from({ length: count }, (_, i) => make(i))
    const summary = summaryOf(tasks)
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(DEFAULT_SUMMARY_LIMITS.maxBytes)
    const page = render(summary)
    expect(page.headings()[0]).toMatch(new RegExp(`${count} MemOS tasks`))
    for (const table of page.tables()) {
      for (const row of table.rows) expect(row).toHaveLength(table.header.length)
    }
    expect(page.count('details')).toBeLessThanOrEqual(3)
    expect(
      squash(
        page
          .tables()
          .flatMap((table) => table.rows.map((row) => row.join(' ')))
          .join(' ')
      )
    ).toMatch(leftOut)
  })
})

describe('the summary when the action could not run', () => {
  const inputError = (problems: string[]): RunProblem => {
    const { lead, items } = new InputError(problems, [])
    return { lead, items }
  }

  it.each([
    [
      'one bad input',
      inputError(["Input 'timeout' has an invalid duration '<x>'."]),
      0,
      ["Input 'timeout' has an invalid duration '<x>'."]
    ],
    [
      'several bad inputs, as a list',
      inputError([
        "Input 'timeout' has an invalid duration 'ten minutes'.",
        "Input 'fail_fast' is 'yes', but it must be 'true' or 'false'."
      ]),
      2,
      [
        'Invalid inputs:',
        "Input 'timeout' has an invalid duration 'ten minutes'.",
        "Input 'fail_fast' is 'yes', but it must be 'true' or 'false'."
      ]
    ],
    [
      'an unexpected error',
      { lead: '# Boom: [x](https://evil.example)\n- not a list' },
      0,
      ['# Boom: [x](https://evil.example) - not a list']
    ]
  ])('%s', (_name, problem, items, lines) => {
    const page = render(buildErrorSummary(problem))
    expect(page.headings()).toEqual(['⚠️ Wait for MemOS task could not run'])
    expect(page.count('li')).toBe(items)
    for (const line of lines) expect(page.lines()).toContain(line)
    expect(page.count('a')).toBe(0)
  })
})

describe('the outputs', () => {
  it('replace data too large for a step output by a note, and keep every other field', () => {
    const outputs = buildOutputs({
      tasks: [task({ data: { blob: 'z'.repeat(3 * 1024 * 1024) } })],
      stopReason: undefined,
      attempts: 3,
      durationMs: 5
    })
    expect(Buffer.byteLength(outputs.result)).toBeLessThan(1024)
    expect(JSON.parse(outputs.result)._truncated).toMatch(/^data of \d+ bytes left out of this output/)
    expect(JSON.parse(outputs.tasks)[0]).toMatchObject({ task_id: 'task-1', status: 'completed', conclusion: 'success' })
  })

  it('keep a large batch under the output limit', () => {
    const tasks = Array.from({ length: 1000 }, (_, index) => task({ taskId: `t${index}`, data: { blob: 'w'.repeat(10_000) } }))
    const outputs = buildOutputs({ tasks, stopReason: undefined, attempts: 3000, durationMs: 5 })
    expect(Buffer.byteLength(outputs.tasks)).toBeLessThanOrEqual(OUTPUT_JSON_LIMIT)
    expect(Buffer.byteLength(outputs.result)).toBeLessThanOrEqual(OUTPUT_JSON_LIMIT)
    expect(JSON.parse(outputs.tasks)).toHaveLength(1000)
  })
})
