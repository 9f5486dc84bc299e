/**
 * The job summary word for word: the markdown a reader gets in the Actions UI, each part pinned as the exact
 * lines it writes (summary.test.ts checks the same pages as GitHub renders them).
 */
import { CLOUD_NOT_FOUND_HINT } from '../../src/memos/cloud-client.js'
import type { KeptTaskResult, KeptWaitResult } from '../../src/report/kept-data.js'
import { buildOutputs } from '../../src/report/outputs.js'
import {
  buildErrorSummary,
  buildSummary,
  DEFAULT_SUMMARY_LIMITS,
  type SummaryContext,
  type SummaryLimits
} from '../../src/report/summary.js'
import { ACTION_VERSION } from '../../src/shared/version.js'
import {
  cancelled,
  CLOUD,
  completed,
  failed,
  KEY_REJECTED,
  kept,
  keyRejected,
  notFound,
  notWaitedFor,
  resultOf,
  SELF_HOSTED,
  task,
  timedOut,
  timedOutReason,
  problem,
  withProblem,
  views
} from '../../testing/task-results.js'

/** Icon and word of a table's outcome cell, joined by no-break spaces as the summary writes them. */
const nb = (text: string): string => text.replace(/ /g, '\u00a0')

function linesOf(
  tasks: KeptTaskResult[],
  options: { stopReason?: KeptWaitResult['stopReason']; context?: SummaryContext; limits?: Partial<SummaryLimits> } = {}
): string[] {
  const result = resultOf(tasks, options.stopReason)
  const limits = { ...DEFAULT_SUMMARY_LIMITS, ...options.limits }
  return buildSummary(result, buildOutputs(result), options.context ?? CLOUD, limits).split('\n')
}

/** The lines from `first` up to (not including) the next blank line. */
function block(lines: string[], first: string | RegExp): string[] {
  const start = lines.findIndex((line) => (typeof first === 'string' ? line === first : first.test(line)))
  if (start < 0) throw new Error(`no line ${String(first)} in:\n${lines.join('\n')}`)
  const end = lines.indexOf('', start)
  return lines.slice(start, end < 0 ? undefined : end)
}

/** The lines of a <details> fold, from its opening tag to its closing one. */
function fold(lines: string[], summary: string | RegExp): string[] {
  const start = lines.findIndex(
    (line) => line.startsWith('<details><summary>') && (typeof summary === 'string' ? line.includes(summary) : summary.test(line))
  )
  if (start < 0) throw new Error(`no fold ${String(summary)} in:\n${lines.join('\n')}`)
  return lines.slice(start, lines.indexOf('</details>', start) + 1)
}

const FOOTER = `<sub>Wait for MemOS task ${ACTION_VERSION} asked MemOS Cloud (memos.example).</sub>`

describe('the summary of one task, line by line', () => {
  it('a failed task on the cloud: heading, facts, reason, next step, table, timeline, data, footer', () => {
    expect(linesOf([failed('task-1')])).toEqual([
      '## ❌ MemOS task failed',
      '',
      'Waited 1.2s · 3 status requests · timeout 10m',
      '',
      "> **Reason:** Task task-1 ended with status 'failed'.",
      '>',
      '> **Next step:** MemOS gives no reason for a failed task: look it up in the MemOS console.',
      '',
      '| Task | Outcome | Status | Attempts | Duration |',
      '| --- | --- | --- | ---: | ---: |',
      `| task-1 | ${nb('❌ failed')} | failed | 3 | 1.2s |`,
      '',
      '### Timeline',
      '',
      '- 5ms: running',
      '- 1.2s: completed',
      '',
      '<details><summary>Last data</summary>',
      '',
      '<pre><code>{',
      '  "task_id": "task-1",',
      '  "status": "failed"',
      '}</code></pre>',
      '',
      '</details>',
      '',
      FOOTER,
      ''
    ])
  })

  it('a completed task with memories: the counts, then the ids in a fold before the data', () => {
    const lines = linesOf([completed('task-1', views(3, 1, 0, ['m1', 'm2']))])
    expect(lines.slice(0, 14)).toEqual([
      '## ✅ MemOS task completed',
      '',
      '**Memories:** +3 added · 1 updated · 0 deleted',
      '',
      'Waited 1.2s · 3 status requests · timeout 10m',
      '',
      '| Task | Outcome | Status | Attempts | Duration |',
      '| --- | --- | --- | ---: | ---: |',
      `| task-1 | ${nb('✅ completed')} | completed | 3 | 1.2s |`,
      '',
      '### Timeline',
      '',
      '- 5ms: running',
      '- 1.2s: completed'
    ])
    expect(fold(lines, 'Memory ids')).toEqual([
      '<details><summary>Memory ids (2)</summary>',
      '',
      '- detail_factual: m1, m2',
      '',
      '</details>'
    ])
    expect(lines.indexOf('<details><summary>Memory ids (2)</summary>')).toBeLessThan(lines.indexOf('<details><summary>Last data</summary>'))
    expect(lines).not.toContain('> **Reason:**')
  })

  it.each<[string, KeptTaskResult, SummaryContext, string, string[]]>([
    [
      'failed, on a self-hosted server',
      failed('task-1'),
      SELF_HOSTED,
      '## ❌ MemOS task failed',
      [
        "> **Reason:** Task task-1 ended with status 'failed'.",
        '>',
        "> **Next step:** MemOS gives no reason for a failed task: look for the task id in the MemOS server's log."
      ]
    ],
    [
      'still running at the timeout',
      timedOut('task-1'),
      CLOUD,
      '## ⏱️ MemOS task still running at the timeout',
      [
        "> **Reason:** Timed out after 10m waiting for task task-1 (last status 'running').",
        '>',
        '> **Next step:** the task was still running after 10m; raise `timeout` if it needs longer.'
      ]
    ],
    [
      "stopped by the server's rate limit: what it allowed, and what to do",
      task({
        status: 'running',
        conclusion: 'timed_out',
        timeline: [{ status: 'running', atMs: 5 }],
        reason: { ...timedOutReason('running'), rateLimited: { nextAtMs: 660_000, stoppedAtMs: 10_400 } }
      }),
      CLOUD,
      "## ⏱️ MemOS task stopped by the server's rate limit",
      [
        "> **Reason:** The server's rate limit allows no request before the timeout (next at 11m, timeout 10m); stopped after 10.4s waiting for task task-1 (last status 'running').",
        '>',
        "> **Next step:** the server's rate limit let no request through before the timeout, so the wait stopped early; ask less often (`max_requests_per_second`, `interval`), raise the server's limit, or give `timeout` room for its reset."
      ]
    ],
    [
      'not found: the reason carries the hint, no next step',
      notFound('task-1'),
      CLOUD,
      '## ⚠️ MemOS task not found',
      [`> **Reason:** Task task-1 was not found (code 50131: task not found) for 5.0s. ${CLOUD_NOT_FOUND_HINT}`]
    ],
    [
      'an error that is not a task not found',
      keyRejected('task-1'),
      CLOUD,
      '## ⚠️ MemOS task could not be checked',
      [`> **Reason:** ${KEY_REJECTED}`]
    ]
  ])('a task %s: its heading, reason and next step', (_name, only, context, heading, quote) => {
    const lines = linesOf([only], { context })
    expect(lines[0]).toBe(heading)
    expect(block(lines, /^> \*\*Reason/)).toEqual(quote)
  })

  it('a cancelled run: says the wait was cancelled, and what to do', () => {
    const lines = linesOf([cancelled('task-1')], { stopReason: 'cancelled' })
    expect(lines[0]).toBe('## 🚫 Wait for MemOS task cancelled')
    expect(block(lines, /^> \*\*Reason/)).toEqual([
      "> **Reason:** Cancelled while waiting for task task-1 (last status 'running').",
      '>',
      '> **Next step:** the run was cancelled before these tasks finished; run the job again to wait for them.'
    ])
    expect(block(lines, '| Task | Outcome | Status | Attempts | Duration |')[2]).toBe(
      `| task-1 | ${nb('🚫 cancelled')} | running | 3 | 1.2s |`
    )
  })

  it('a task never seen: a dash for its status, no status in its timeline, and no data fold', () => {
    const lines = linesOf([notFound('task-1')])
    expect(block(lines, '| Task | Outcome | Status | Attempts | Duration |')[2]).toBe(`| task-1 | ${nb('⚠️ not found')} | — | 6 | 1.2s |`)
    expect(block(lines, '### Timeline')).toEqual(['### Timeline'])
    expect(lines[lines.indexOf('### Timeline') + 2]).toBe('- no status reported')
    expect(lines.join('\n')).not.toContain('Last data')
  })

  it.each([
    ['one status request and a timeout of 0', 1, 0, 'Waited 1.2s · 1 status request · timeout 0 (checked once)'],
    ['two status requests and a timeout of 90s', 2, 90_000, 'Waited 1.2s · 2 status requests · timeout 1m30s']
  ])('the facts line with %s', (_name, attempts, timeoutMs, facts) => {
    const result = { ...resultOf([completed('task-1')]), attempts }
    const lines = buildSummary(result, buildOutputs(result), { ...CLOUD, timeoutMs }).split('\n')
    expect(lines[2]).toBe(facts)
  })

  it('a timeline of more than 50 status changes keeps the first 49 and the last, and counts the rest', () => {
    const timeline = Array.from({ length: 60 }, (_, i) => ({ status: `step-${i}`, atMs: i * 1000 }))
    const steps = block(linesOf([task({ timeline })]), '- 0ms: step-0')
    expect(steps).toHaveLength(51)
    // Shown: step-0 to step-48 and step-59; left out: step-49 to step-58.
    expect(steps.slice(47)).toEqual(['- 47s: step-47', '- 48s: step-48', '- … 10 more status changes', '- 59s: step-59'])
  })

  it('a timeline of 51 status changes leaves out one, and says so in the singular', () => {
    const timeline = Array.from({ length: 51 }, (_, i) => ({ status: `step-${i}`, atMs: i * 1000 }))
    const steps = block(linesOf([task({ timeline })]), '- 0ms: step-0')
    expect(steps.slice(48)).toEqual(['- 48s: step-48', '- … 1 more status change', '- 50s: step-50'])
  })

  it('a timeline of exactly 50 status changes is shown whole', () => {
    const timeline = Array.from({ length: 50 }, (_, i) => ({ status: `step-${i}`, atMs: i * 1000 }))
    const steps = block(linesOf([task({ timeline })]), '- 0ms: step-0')
    expect(steps).toHaveLength(50)
    expect(steps.at(-1)).toBe('- 49s: step-49')
  })

  it('escapes the server name in the footer', () => {
    const lines = linesOf([completed('task-1')], { context: { ...CLOUD, serverName: 'MemOS at <host>|*x*' } })
    expect(lines.at(-2)).toBe(`<sub>Wait for MemOS task ${ACTION_VERSION} asked MemOS at &lt;host>\\|\\*x\\*.</sub>`)
  })
})

describe('the data of a task', () => {
  /** The text inside <pre><code> of the first data block. */
  function dataOf(lines: string[]): string {
    const text = lines.join('\n')
    return text.slice(text.indexOf('<pre><code>') + '<pre><code>'.length, text.indexOf('</code></pre>'))
  }

  it('is shown whole when it is exactly at its limit', () => {
    const data = { note: 'x' }
    const size = Buffer.byteLength(JSON.stringify(data, null, 2))
    expect(dataOf(linesOf([task({ data })], { limits: { maxDataBytes: size } }))).toBe('{\n  "note": "x"\n}')
  })

  it('is cut at its limit, without half a character, and says how much it shows', () => {
    // '{\n  "note": "' is 13 bytes, U+FFFD 3 and 'é' 2: the 41st byte is the first half of the 13th 'é'.
    const data = { note: `\uFFFD${'é'.repeat(30)}` }
    const size = Buffer.byteLength(JSON.stringify(data, null, 2))
    expect(dataOf(linesOf([task({ data })], { limits: { maxDataBytes: 41 } }))).toBe(
      `{\n  "note": "\uFFFD${'é'.repeat(12)}\n… truncated: showing 41 of ${size} bytes`
    )
  })

  it('is escaped as HTML inside its block', () => {
    const data = { note: '</code></pre> & <b>' }
    expect(dataOf(linesOf([task({ data })]))).toBe('{\n  "note": "&lt;/code&gt;&lt;/pre&gt; &amp; &lt;b&gt;"\n}')
  })
})

describe('the summary of a batch, line by line', () => {
  // Every kind of problem at once: the key was refused for one task, which stopped the wait for another.
  const tasks = [
    completed('a', views(2, 0, 0, ['m1'])),
    { ...failed('b'), durationMs: 5000 },
    { ...notFound('c'), durationMs: 3000 },
    completed('d'),
    timedOut('e'),
    { ...failed('f'), durationMs: 4000, data: kept({ task_id: 'f', status: 'failed', detail: 'quota exceeded' }) },
    { ...keyRejected('g'), durationMs: 1000 },
    { ...notWaitedFor('h', 'g'), status: '' }
  ]
  const lines = linesOf(tasks, { stopReason: 'fatal' })

  it('names every kind of problem in the heading, in a fixed order, and counts the memories', () => {
    expect(lines.slice(0, 6)).toEqual([
      '## ❌ 2 of 8 MemOS tasks failed, 1 not found, 1 could not be checked, 1 still running at the timeout, 1 not waited for',
      '',
      '**Memories:** +2 added · 0 updated · 0 deleted, in 1 of 8 tasks',
      '',
      '2 completed · waited 1.2s · 27 status requests · timeout 10m',
      ''
    ])
  })

  it('lists the problems with their reasons, the task id left out, in the order of the heading', () => {
    expect(block(lines, '### Did not succeed (6)')).toEqual(['### Did not succeed (6)'])
    expect(block(lines, '| Task | Outcome | Reason | Attempts | Duration |')).toEqual([
      '| Task | Outcome | Reason | Attempts | Duration |',
      '| --- | --- | --- | ---: | ---: |',
      `| b | ${nb('❌ failed')} | Task ended with status 'failed'. | 3 | 5s |`,
      `| f | ${nb('❌ failed')} | Task ended with status 'failed'. | 3 | 4s |`,
      `| c | ${nb('⚠️ not found')} | Task was not found (code 50131: task not found) for 5.0s. Check that 'task_id' is right and that 'api_key' belongs to t… | 6 | 3s |`,
      `| g | ${nb('⚠️ error')} | MemOS rejected the API key (HTTP 401). Check the 'api_key' input: it must be a MemOS API key (API Console > API Keys) o… | 3 | 1s |`,
      `| e | ${nb('⏱️ timed out')} | Timed out after 10m waiting for the task (last status 'running'). | 3 | 10m |`,
      `| h | ${nb('⏸️ not waited for')} | Not waited for (no status yet). | 3 | 1.2s |`
    ])
  })

  it('says what to do once per kind of problem, quoting an error whose reason says it', () => {
    expect(block(lines, '- **2 failed**: MemOS gives no reason for a failed task: look them up in the MemOS console.')).toEqual([
      '- **2 failed**: MemOS gives no reason for a failed task: look them up in the MemOS console.',
      `- **1 not found**: Task c was not found (code 50131: task not found) for 5.0s. ${CLOUD_NOT_FOUND_HINT}`,
      `- **1 error**: ${KEY_REJECTED}`,
      '- **1 timed out**: the task was still running after 10m; raise `timeout` if it needs longer.',
      // The task that stopped the wait is the one that ran into its problem first, not the first in the list.
      '- **1 not waited for**: the problem with task g (see its reason) stopped the wait for every task.'
    ])
    expect(lines[lines.indexOf('**Next steps**') + 1]).toBe('')
  })

  it('lists the completed tasks under their own heading, with a memories column', () => {
    expect(block(lines, '### Completed (2)')).toEqual(['### Completed (2)'])
    expect(block(lines, '| Task | Status | Memories | Attempts | Duration |')).toEqual([
      '| Task | Status | Memories | Attempts | Duration |',
      '| --- | --- | --- | ---: | ---: |',
      '| a | completed | +2 added | 3 | 1.2s |',
      '| d | completed | — | 3 | 1.2s |'
    ])
  })

  it('folds the timelines of the problems, with the data only where it says more than the status', () => {
    // Markdown resumes after an HTML block only at a blank line: without it, the next heading would show as text.
    const start = lines.findIndex((line) => line.startsWith('<details><summary>Timelines'))
    expect(lines[lines.indexOf('</details>', start) + 1]).toBe('')
    expect(fold(lines, 'Timelines')).toEqual([
      '<details><summary>Timelines of 6 tasks that did not succeed</summary>',
      '',
      '**b**',
      '',
      '- 5ms: running',
      '- 1.2s: completed',
      '',
      '**f**',
      '',
      '- 5ms: running',
      '- 1.2s: completed',
      '',
      '<pre><code>{',
      '  "task_id": "f",',
      '  "status": "failed",',
      '  "detail": "quota exceeded"',
      '}</code></pre>',
      '',
      '**c**',
      '',
      '- no status reported',
      '',
      '**g**',
      '',
      '- no status reported',
      '',
      '**e**',
      '',
      '- 5ms: running',
      '',
      '**h**',
      '',
      '- 5ms: running',
      '',
      '</details>'
    ])
  })

  it('folds the memory ids last, each line naming its task, then the footer', () => {
    expect(lines.slice(-8)).toEqual([
      '<details><summary>Memory ids (1)</summary>',
      '',
      '- a · detail_factual: m1',
      '',
      '</details>',
      '',
      FOOTER,
      ''
    ])
  })
})

describe('the parts of a batch summary', () => {
  it('a batch that completed: a count in the heading, the facts without a count, the table without a heading', () => {
    const lines = linesOf([completed('a'), completed('b')])
    expect(lines).toEqual([
      '## ✅ 2 MemOS tasks completed',
      '',
      'Waited 1.2s · 6 status requests · timeout 10m',
      '',
      '| Task | Status | Attempts | Duration |',
      '| --- | --- | ---: | ---: |',
      '| a | completed | 3 | 1.2s |',
      '| b | completed | 3 | 1.2s |',
      '',
      FOOTER,
      ''
    ])
  })

  it('a batch where nothing completed: no count in the facts, and no completed table', () => {
    const lines = linesOf([failed('a'), failed('b')])
    expect(lines[2]).toBe('Waited 1.2s · 6 status requests · timeout 10m')
    expect(lines.join('\n')).not.toMatch(/Completed|\| Task \| Status \|/)
  })

  it('memories reported by every task are totalled "in all"', () => {
    expect(linesOf([completed('a', views(1, 0, 0)), completed('b', views(0, 2, 1))])[2]).toBe(
      '**Memories:** +1 added · 2 updated · 1 deleted, in all 2 tasks'
    )
  })

  it.each<[string, KeptTaskResult[], SummaryContext, string[]]>([
    [
      'failed on a self-hosted server',
      [failed('a'), failed('b')],
      SELF_HOSTED,
      ["- **2 failed**: MemOS gives no reason for a failed task: look for these task ids in the MemOS server's log."]
    ],
    [
      'still running at the timeout',
      [timedOut('a'), timedOut('b')],
      CLOUD,
      ['- **2 timed out**: these tasks were still running after 10m; raise `timeout` if they need longer.']
    ],
    [
      'errors: the first is quoted',
      [keyRejected('a'), notFound('b'), keyRejected('c')],
      CLOUD,
      [
        `- **1 not found**: Task b was not found (code 50131: task not found) for 5.0s. ${CLOUD_NOT_FOUND_HINT}`,
        `- **2 error**, the first: ${KEY_REJECTED}`
      ]
    ],
    [
      'cancelled',
      [cancelled('a'), cancelled('b')],
      CLOUD,
      ['- **2 cancelled**: the run was cancelled before these tasks finished; run the job again to wait for them.']
    ]
  ])('the next steps for several tasks %s', (_name, tasks, context, steps) => {
    const lines = linesOf(tasks, { context, stopReason: tasks[0]?.conclusion === 'cancelled' ? 'cancelled' : undefined })
    expect(block(lines, '**Next steps**').slice(1)).toEqual([])
    expect(block(lines.slice(lines.indexOf('**Next steps**') + 2), /^- /)).toEqual(steps)
  })

  it.each<[string, KeptTaskResult[], string]>([
    [
      'after a failure',
      [
        { ...failed('late'), durationMs: 9000 },
        notWaitedFor('p', 'x'),
        { ...failed('early'), durationMs: 2000 },
        { ...notFound('error'), durationMs: 5000 }
      ],
      '`fail_fast` stopped the wait when task early failed. Set `fail_fast: false` to wait for every task.'
    ],
    [
      'after an error',
      [{ ...failed('late'), durationMs: 9000 }, notWaitedFor('p', 'x'), { ...keyRejected('early'), durationMs: 2000 }],
      '`fail_fast` stopped the wait when task early ran into an error. Set `fail_fast: false` to wait for every task.'
    ]
  ])('the next step for tasks fail_fast left unwaited %s names the task that stopped the wait', (_name, tasks, step) => {
    const lines = linesOf([{ ...completed('quick'), durationMs: 10 }, ...tasks], { stopReason: 'fail_fast' })
    expect(lines.filter((line) => line.startsWith('- **1 not waited for**'))).toEqual([`- **1 not waited for**: ${step}`])
  })

  it('the next step for tasks left unwaited when no task failed', () => {
    const lines = linesOf([timedOut('a'), notWaitedFor('b', 'a')])
    expect(lines).toContain('- **1 not waited for**: the problem with a task (see its reason) stopped the wait for every task.')
  })

  it.each<[string, KeptWaitResult['stopReason'], string]>([
    [
      'a cancelled run names the cancelled tasks first',
      'cancelled',
      '## 🚫 1 of 7 MemOS tasks cancelled, 1 failed, 1 not found, 1 could not be checked, 1 still running at the timeout, 1 not waited for'
    ],
    [
      'otherwise the order is fixed',
      undefined,
      '## ❌ 1 of 7 MemOS tasks failed, 1 not found, 1 could not be checked, 1 still running at the timeout, 1 not waited for, 1 cancelled'
    ]
  ])('the heading: %s', (_name, stopReason, heading) => {
    const tasks = [failed('a'), notFound('b'), completed('c'), keyRejected('d'), timedOut('e'), notWaitedFor('f', 'a'), cancelled('g')]
    expect(linesOf(tasks, { stopReason })[0]).toBe(heading)
  })

  it("leaves the task's id out of the reason in its row", () => {
    // reasonInTable takes both spellings of the id out: "Task <id>" and "task <id>".
    const lines = linesOf([
      task({ taskId: 'x', conclusion: 'failure', status: 'failed', reason: problem('Task x: MemOS says task x failed.') }),
      completed('y')
    ])
    expect(lines).toContain(`| x | ${nb('❌ failed')} | Task: MemOS says the task failed. | 3 | 1.2s |`)
  })
})

describe('a batch past its limits', () => {
  const limits: Partial<SummaryLimits> = {
    maxProblemRows: 2,
    maxSuccessRows: 1,
    foldSuccessesOver: 2,
    maxDetailedTasks: 2,
    maxMemoryIds: 3
  }
  const tasks = [
    failed('f1'),
    notFound('n1'),
    timedOut('t1'),
    failed('f2'),
    completed('a', views(2, 0, 0, ['m1', 'm2'])),
    completed('b', views(2, 0, 0, ['m3', 'm4'])),
    completed('c', views(1, 0, 0, ['m5']))
  ]
  const lines = linesOf(tasks, { limits })

  it('counts the problems left out of the table, by kind', () => {
    expect(block(lines, '| Task | Outcome | Reason | Attempts | Duration |').slice(2)).toEqual([
      `| f1 | ${nb('❌ failed')} | Task ended with status 'failed'. | 3 | 1.2s |`,
      `| f2 | ${nb('❌ failed')} | Task ended with status 'failed'. | 3 | 1.2s |`,
      '| … | 2 more | 1 not found, 1 timed out: not listed, to keep the summary within its size limit | | |'
    ])
  })

  it('folds the completed tasks past foldSuccessesOver, and counts those left out', () => {
    expect(fold(lines, 'completed tasks')).toEqual([
      '<details><summary>3 completed tasks</summary>',
      '',
      '| Task | Status | Memories | Attempts | Duration |',
      '| --- | --- | --- | ---: | ---: |',
      '| a | completed | +2 added | 3 | 1.2s |',
      '| … | 2 more completed tasks, not listed to keep the summary within its size limit | | | |',
      '',
      '</details>'
    ])
  })

  it('keeps exactly foldSuccessesOver completed tasks in view', () => {
    const lines = linesOf([failed('f'), completed('a'), completed('b')], { limits: { foldSuccessesOver: 2 } })
    expect(lines).toContain('### Completed (2)')
    expect(lines.join('\n')).not.toContain('completed tasks</summary>')
  })

  it('shows the timelines of the first maxDetailedTasks problems and says of how many', () => {
    expect(fold(lines, 'Timelines')[0]).toBe('<details><summary>Timelines of the first 2 of 4 tasks that did not succeed</summary>')
    expect(fold(lines, 'Timelines').filter((line) => line.startsWith('**'))).toEqual(['**f1**', '**f2**'])
  })

  it('lists maxMemoryIds ids and counts the rest', () => {
    expect(fold(lines, 'Memory ids')).toEqual([
      '<details><summary>Memory ids (5)</summary>',
      '',
      '- a · detail_factual: m1, m2',
      '- b · detail_factual: m3',
      '',
      '2 more ids not listed.',
      '',
      '</details>'
    ])
  })

  it('has no memory ids fold where the memories came without ids', () => {
    expect(linesOf([completed('a', views(1, 0, 0))]).join('\n')).not.toContain('Memory ids')
    expect(linesOf([completed('a', views(1, 0, 0)), completed('b', views(1, 0, 0))]).join('\n')).not.toContain('Memory ids')
  })

  it.each([
    [10, ['- a · detail_factual: m0, m1, m2, m3, m4, m5, m6, m7', '- a · detail_factual: m8, m9']],
    [8, ['- a · detail_factual: m0, m1, m2, m3, m4, m5, m6, m7']]
  ])('puts eight ids on a line: %i ids', (count, idLines) => {
    const ids = Array.from({ length: count }, (_, i) => `m${i}`)
    const lines = fold(linesOf([completed('a', views(count, 0, 0, ids)), completed('b')]), 'Memory ids')
    expect(lines.slice(2, lines.indexOf('', 2))).toEqual(idLines)
  })

  it('a completed table without memories counts the tasks left out in one cell less', () => {
    const rows = block(
      linesOf([completed('a'), completed('b'), completed('c')], { limits: { maxSuccessRows: 2 } }),
      '| Task | Status | Attempts | Duration |'
    )
    expect(rows.at(-1)).toBe('| … | 1 more completed tasks, not listed to keep the summary within its size limit | | |')
  })

  it('a single problem with a timeline has the singular fold title', () => {
    expect(fold(linesOf([failed('a'), completed('b')]), 'Timeline')[0]).toBe(
      '<details><summary>Timeline of the task that did not succeed</summary>'
    )
  })

  it('a batch shows an eighth of the data limit per task', () => {
    const data = { task_id: 'a', status: 'failed', detail: 'x'.repeat(100) }
    const size = Buffer.byteLength(JSON.stringify(data, null, 2))
    const lines = linesOf([{ ...failed('a'), data: kept(data) }, completed('b')], { limits: { maxDataBytes: 8 * 19 } })
    expect(fold(lines, 'Timeline').join('\n')).toContain(
      `<pre><code>{\n  "task_id": "a",\n… truncated: showing 19 of ${size} bytes</code></pre>`
    )
  })
})

describe('the summary when the action could not run, line by line', () => {
  it('quotes the message line by line, the problems as a list, and says no task was checked', () => {
    expect(
      buildErrorSummary({
        lead: 'Invalid inputs:\n- not an item\n-nor this',
        items: ["Input 'timeout' is <bad>.", 'nor is this - one']
      }).split('\n')
    ).toEqual([
      '## ⚠️ Wait for MemOS task could not run',
      '',
      '> Invalid inputs:',
      '> \\- not an item',
      '> \\-nor this',
      "> - Input 'timeout' is &lt;bad>.",
      '> - nor is this - one',
      '',
      'No MemOS task was checked.',
      '',
      `<sub>Wait for MemOS task ${ACTION_VERSION}</sub>`,
      ''
    ])
  })

  it('quotes each line of a message whose lines end in CRLF', () => {
    expect(buildErrorSummary({ lead: 'Could not start:\r\nsecond line' }).split('\n').slice(2, 4)).toEqual([
      '> Could not start:',
      '> second line'
    ])
  })

  it('cuts each line to 1000 characters', () => {
    const lines = buildErrorSummary({ lead: 'a'.repeat(2000), items: ['b'.repeat(2000)] }).split('\n')
    expect(lines[2]).toBe(`> ${'a'.repeat(999)}…`)
    expect(lines[3]).toBe(`> - ${'b'.repeat(999)}…`)
  })
})

describe('a batch that reaches its byte budget', () => {
  const bytesOf = (lines: string[]): number => lines.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0)

  interface Section {
    /** Tasks whose text grows with `pad`, so that the budget's share comes out at a whole byte. */
    make: (pad: number) => KeptTaskResult[]
    /** The share of the budget the page may fill up to the end of this section. */
    share: number
    /** Where the page stands when the section asks for room: the index of its first line. */
    start: (lines: string[]) => number
    /** The section's items (rows, timelines, lines of ids), as the lines of each. */
    items: (lines: string[]) => string[][]
  }

  /**
   * A budget that leaves the section exactly the room of its first `count` items, found on the page written
   * with the default budget (where nothing is left out).
   */
  function exactBudget(section: Section, count: number): { tasks: KeptTaskResult[]; maxBytes: number } {
    for (let pad = 0; pad < 50; pad++) {
      const tasks = section.make(pad)
      const lines = linesOf(tasks)
      const used = bytesOf(lines.slice(0, section.start(lines)))
      const room = bytesOf(section.items(lines).slice(0, count).flat())
      const maxBytes = (used + room) / section.share
      if (maxBytes * section.share - used === room) return { tasks, maxBytes }
    }
    throw new Error('no budget comes out even')
  }

  /** Consecutive groups of lines, each starting at a line that `starts`, up to `end`. */
  function groups(lines: string[], starts: (line: string) => boolean, end: number): string[][] {
    const found: string[][] = []
    lines.slice(0, end).forEach((line) => {
      if (starts(line)) found.push([line])
      else found.at(-1)?.push(line)
    })
    return found
  }

  /** The rows of a table that list a task, each as a group of one line. */
  const listedRows = (table: string[]): string[][] =>
    table
      .slice(2)
      .filter((row) => !row.startsWith('| … |'))
      .map((row) => [row])
  const padded = (pad: number): KeptTaskResult => ({
    ...failed('padded'),
    ...withProblem(`Task padded ended with status 'failed'. ${'p'.repeat(pad)}`)
  })
  const withData = (taskId: string): KeptTaskResult => ({
    ...failed(taskId),
    data: kept({ task_id: taskId, status: 'failed', detail: 'y'.repeat(300) })
  })

  const SECTIONS: Record<string, Section> = {
    'the table of problems, up to half of it': {
      make: (pad) => [padded(pad), failed('f1'), failed('f2'), failed('f3')],
      share: 0.5,
      start: (lines) => lines.indexOf('| Task | Outcome | Reason | Attempts | Duration |'),
      items: (lines) => listedRows(block(lines, '| Task | Outcome | Reason | Attempts | Duration |'))
    },
    'the table of completed tasks, up to three quarters of it': {
      make: (pad) => [{ ...completed('c0'), status: `completed ${'p'.repeat(pad)}` }, completed('c1'), completed('c2'), completed('c3')],
      share: 0.75,
      start: (lines) => lines.indexOf('| Task | Status | Attempts | Duration |'),
      items: (lines) => listedRows(block(lines, '| Task | Status | Attempts | Duration |'))
    },
    'the timelines, up to nine tenths of it': {
      make: (pad) => [withData('t0'), withData('t1'), withData('t2'), padded(pad)],
      share: 0.9,
      start: (lines) => lines.findIndex((line) => line.startsWith('<details><summary>Timelines')),
      items: (lines) => {
        const body = fold(lines, 'Timeline').slice(2, -1)
        return groups(body, (line) => line.startsWith('**'), body.length)
      }
    },
    'the memory ids, up to 97 % of it': {
      make: (pad) => [
        {
          ...completed(
            'm0',
            views(
              16,
              0,
              0,
              Array.from({ length: 16 }, (_, i) => `mem-${i}`)
            )
          ),
          status: `completed ${'p'.repeat(pad)}`
        },
        completed(
          'm1',
          views(
            16,
            0,
            0,
            Array.from({ length: 16 }, (_, i) => `mem-${16 + i}`)
          )
        )
      ],
      share: 0.97,
      start: (lines) => lines.findIndex((line) => line.startsWith('<details><summary>Memory ids')),
      items: (lines) =>
        fold(lines, 'Memory ids')
          .filter((line) => line.startsWith('- '))
          .map((line) => [line])
    }
  }

  describe.each(Object.entries(SECTIONS))('%s', (_name, section) => {
    it('keeps the items that fill its room exactly, and leaves out the next', () => {
      const { tasks, maxBytes } = exactBudget(section, 2)
      const whole = section.items(linesOf(tasks))
      const lines = linesOf(tasks, { limits: { maxBytes } })
      expect(section.items(lines)).toEqual(whole.slice(0, 2))
    })

    it('leaves out the second item when the budget is one byte smaller', () => {
      const { tasks, maxBytes } = exactBudget(section, 2)
      const whole = section.items(linesOf(tasks))
      expect(section.items(linesOf(tasks, { limits: { maxBytes: maxBytes - 1 } }))).toEqual(whole.slice(0, 1))
    })
  })
})
