/**
 * The summary of real waits: the wait loop and the cloud client against the simulator, over HTTP, then the
 * summary rendered as GitHub renders it. The words a reader sees come from the wait loop's own results.
 */
import { CLOUD_NOT_FOUND_HINT } from '../../src/memos/cloud-client.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { buildSummary } from '../../src/report/summary.js'
import type { MemosSimulator } from '../../simulator/memos-simulator.js'
import { startSimulator, waitAgainst } from '../../testing/harness.js'
import { keptResult } from '../../testing/task-results.js'
import { render } from '../../testing/rendered.js'

let simulator: MemosSimulator

beforeEach(async () => {
  // Each task's clock starts at its first poll: on a busy machine a short task must not end before it is asked.
  simulator = await startSimulator({ clockStartsAtFirstPoll: true })
})

afterEach(async () => {
  await simulator.stop()
})

/** A short timeout, so that a slow task times out; the request limit is kept well under it. */
async function summaryOfWait(taskIds: string[], failFast: boolean): Promise<ReturnType<typeof render>> {
  const result = keptResult((await waitAgainst(simulator, { taskIds, failFast, timeoutMs: 2500, requestTimeoutMs: 500 })).result)
  return render(buildSummary(result, buildOutputs(result), { serverName: 'MemOS Cloud (127.0.0.1)', timeoutMs: 2500, api: 'cloud' }))
}

describe('the summary of a real wait', () => {
  it('names each problem with its reason and totals the memories of the tasks that completed', async () => {
    simulator.addTask('done', { durationMs: 100 })
    simulator.addTask('broken', { durationMs: 150, finalStatus: 'failed' })
    simulator.addTask('slow', { durationMs: 60_000 })
    const page = await summaryOfWait(['done', 'broken', 'ghost', 'slow'], false)
    expect(page.headings()[0]).toBe('❌ 1 of 4 MemOS tasks failed, 1 not found, 1 still running at the timeout')
    const visible = page.visibleText().replace(/\s+/g, ' ')
    expect(visible).toContain('Memories: +1 added · 0 updated · 0 deleted, in 1 of 4 tasks')
    expect(visible).toContain(CLOUD_NOT_FOUND_HINT)
    expect(visible).toContain("Task ended with status 'failed'.")
    expect(visible).toContain("(last status 'running')")
    const [problems] = page.tables()
    expect(problems?.rows.map((row) => row.slice(0, 2))).toEqual([
      ['broken', '❌ failed'],
      ['ghost', '⚠️ not found'],
      ['slow', '⏱️ timed out']
    ])
  })

  it('says once that fail_fast stopped the wait, and marks the rest as not waited for', async () => {
    // It fails late enough for the others to have answered once, even on a busy machine.
    simulator.addTask('broken', { durationMs: 600, finalStatus: 'failed' })
    simulator.addTask('slow-1', { durationMs: 60_000 })
    simulator.addTask('slow-2', { durationMs: 60_000 })
    const page = await summaryOfWait(['broken', 'slow-1', 'slow-2'], true)
    expect(page.headings()[0]).toBe('❌ 1 of 3 MemOS tasks failed, 2 not waited for')
    const visible = page.visibleText().replace(/\s+/g, ' ')
    expect(visible.match(/fail_fast stopped the wait when task broken failed/g)).toHaveLength(1)
    expect(page.tables()[0]?.rows.map((row) => row[2])).toEqual([
      "Task ended with status 'failed'.",
      "Not waited for (last status 'running').",
      "Not waited for (last status 'running')."
    ])
  })
})
