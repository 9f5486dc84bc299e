import type { TaskResult, WaitResult } from '../src/poller.js'
import { buildOutputs, OUTPUT_JSON_LIMIT } from '../src/report.js'
import { buildErrorSummary, buildSummary, escapeMarkdown } from '../src/summary.js'

function task(overrides: Partial<TaskResult> = {}): TaskResult {
  return {
    taskId: 'task-1',
    status: 'completed',
    conclusion: 'success',
    attempts: 3,
    durationMs: 1234,
    data: { task_id: 'task-1', status: 'completed' },
    error: '',
    timeline: [
      { status: 'running', atMs: 5 },
      { status: 'completed', atMs: 1234 }
    ],
    ...overrides
  }
}

function summaryOf(tasks: TaskResult[], stopReason?: WaitResult['stopReason']): string {
  const result: WaitResult = { tasks, stopReason, attempts: tasks.reduce((n, t) => n + t.attempts, 0), durationMs: 1234 }
  return buildSummary(result, buildOutputs(result), { serverName: 'MemOS Cloud (memos.example)', timeoutMs: 600_000 })
}

const HOSTILE =
  '<script>alert(1)</script> <img src=x onerror=alert(1)> [click](https://evil.example) **bold** `code` | pipe | ![img](x) www.evil.example @user # heading'

describe('the job summary', () => {
  it('shows a table, the timeline and the last data for one task', () => {
    const summary = summaryOf([task()])
    expect(summary).toContain('## ✅ MemOS task completed')
    expect(summary).toContain('| Task | Status | Conclusion | Attempts | Duration |')
    expect(summary).toContain('| task-1 | completed | success | 3 | 1.2s |')
    expect(summary).toContain('### Timeline')
    expect(summary).toContain('- 5ms: running')
    expect(summary).toContain('- 1.2s: completed')
    expect(summary).toContain('<details><summary>Last data</summary>')
    expect(summary).toContain('"status": "completed"')
  })

  it('escapes everything that came from the server, so no HTML or markdown from it reaches the page', () => {
    const hostile = task({
      status: HOSTILE,
      conclusion: 'failure',
      error: `Task task-1 ended with status '${HOSTILE}'.`,
      timeline: [{ status: HOSTILE, atMs: 1 }],
      data: { status: HOSTILE, note: '</code></pre></details><script>x</script>' }
    })
    const summary = summaryOf([hostile])
    const [markdown, dataBlock] = summary.split('<details><summary>Last data</summary>') as [string, string]
    expect(markdown).not.toMatch(/<script|<img|\]\(|\*\*bold|`code`|\| pipe \||www\.evil|https:\/\/evil/)
    // Inside <pre> only HTML is interpreted, so escaping the HTML characters is enough there.
    expect(dataBlock).not.toMatch(/<script|<img/)
    // The data block stays one block: the only closing tags are ours.
    expect(summary.match(/<\/pre>/g)).toHaveLength(1)
    expect(summary.match(/<\/details>/g)).toHaveLength(1)
  })

  it.each([
    ['a pipe', 'a|b', 'a&#124;b'],
    ['a tag', '<b>', '&#60;b&#62;'],
    ['a link', '[x](y)', '&#91;x&#93;&#40;y&#41;'],
    ['a leading list marker', '- item', '&#45; item'],
    ['a leading numbered list', '1. item', '&#49;. item'],
    ['a newline', 'a\nb', 'a b']
  ])('escapes %s', (_name, text, expected) => {
    expect(escapeMarkdown(text)).toBe(expected)
  })

  it('truncates large data and says so, keeping the summary well under 1 MiB', () => {
    const big = task({ data: { status: 'completed', blob: 'x'.repeat(3 * 1024 * 1024) } })
    const summary = summaryOf([big])
    expect(Buffer.byteLength(summary)).toBeLessThan(64 * 1024)
    expect(summary).toMatch(/… truncated: showing 32768 of \d+ bytes/)
  })

  it('lists unsuccessful tasks first, with a count line', () => {
    const summary = summaryOf([
      task({ taskId: 'a' }),
      task({ taskId: 'b', conclusion: 'failure', status: 'failed', error: "Task b ended with status 'failed'." }),
      task({ taskId: 'c', conclusion: 'timed_out', status: 'running', error: 'Timed out' })
    ])
    expect(summary).toContain('## ❌ MemOS tasks (3) failed')
    expect(summary).toContain('1 completed, 1 failed, 1 still running at the timeout')
    expect(summary.indexOf('| b |')).toBeLessThan(summary.indexOf('| c |'))
    expect(summary.indexOf('| c |')).toBeLessThan(summary.indexOf('| a |'))
  })

  it('stays readable and under 1 MiB with a thousand tasks, and says what was left out', () => {
    const tasks = Array.from({ length: 1000 }, (_, index) =>
      task({ taskId: `t${index}`, data: { status: 'completed', blob: 'y'.repeat(20_000) } })
    )
    const summary = summaryOf(tasks)
    expect(Buffer.byteLength(summary)).toBeLessThan(512 * 1024)
    expect(summary).toContain('500 more rows left out')
    expect(summary).toContain('Timelines and data of 990 more tasks are left out here')
  })

  it('shows a cancelled run as cancelled', () => {
    expect(summaryOf([task({ conclusion: 'cancelled', status: 'running' })], 'cancelled')).toContain('🚫 Wait for MemOS task cancelled')
  })

  it('quotes an input error line by line, escaped', () => {
    expect(buildErrorSummary("Invalid inputs:\n- Input 'timeout' has an invalid duration '<x>'.")).toBe(
      '## ⚠️ Wait for MemOS task could not run\n\n> Invalid inputs&#58;\n> &#45; Input &#39;timeout&#39; has an invalid duration &#39;&#60;x&#62;&#39;.\n'
    )
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

  it.each([
    ['every task succeeded', ['success', 'success'], undefined, 'success'],
    ['one failed', ['success', 'failure'], undefined, 'failure'],
    ['an error beats a failure', ['failure', 'error'], undefined, 'error'],
    ['only unfinished at the deadline', ['success', 'timed_out'], undefined, 'timed_out'],
    ['a failure beats a timeout', ['failure', 'timed_out'], undefined, 'failure'],
    ['cancellation beats everything', ['error', 'cancelled'], 'cancelled' as const, 'cancelled'],
    ['fail-fast leaves pending tasks', ['failure', 'pending'], 'fail_fast' as const, 'failure']
  ])('aggregate the conclusion when %s', (_name, conclusions, stopReason, expected) => {
    const tasks = conclusions.map((conclusion, index) => task({ taskId: `t${index}`, conclusion: conclusion as TaskResult['conclusion'] }))
    expect(buildOutputs({ tasks, stopReason, attempts: 2, durationMs: 5 }).conclusion).toBe(expected)
  })
})
