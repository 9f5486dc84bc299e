/**
 * A batch whose answers are large, waited for as the action waits: the real poller over HTTP to the simulator,
 * with the report's keeper reducing each answer as it arrives. The outputs and the summary are those of the data
 * itself, and each task keeps a few kilobytes of answers of tens.
 */
import { dataKeeper } from '../../src/report/data-keeper.js'
import { keepData, type KeptData } from '../../src/report/kept-data.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { buildSummary } from '../../src/report/summary.js'
import type { DataKeeper } from '../../src/wait/results.js'
import type { MemosSimulator } from '../../simulator/memos-simulator.js'
import { startSimulator, waitAgainst } from '../../testing/harness.js'
import { CLOUD } from '../../testing/task-results.js'

let simulator: MemosSimulator

afterEach(async () => {
  await simulator?.stop()
})

const TASKS = 40
const IDS_PER_TASK = 3000
const memoryIds = (index: number): string[] =>
  Array.from({ length: IDS_PER_TASK }, (_, k) => `memos_mem_${String(index).padStart(3, '0')}_${String(k).padStart(6, '0')}`)

describe('a batch whose answers each carry 3,000 memory ids', () => {
  it('reports as from the whole answers, and keeps a few kilobytes of each', async () => {
    simulator = await startSimulator()
    const ids = Array.from({ length: TASKS }, (_, index) => `big-${index}`)
    ids.forEach((taskId, index) =>
      simulator.addTask(taskId, {
        // Finishing out of input order, some of them failing.
        durationMs: ((index * 7) % 10) * 60,
        finalStatus: index % 13 === 5 ? 'failed' : 'completed',
        data: { memory_views: { added: IDS_PER_TASK, updated: 0, deleted: 0, detail_factual: { memory_ids: memoryIds(index) } } }
      })
    )
    const keeper = dataKeeper(TASKS)
    const whole: Array<KeptData | null> = ids.map(() => null)
    const answers: Array<Array<'success' | 'failure' | undefined>> = ids.map(() => [])
    const keep: DataKeeper<KeptData> = (data, answer) => {
      whole[answer.index] = keepData(data, { wholeBytes: Infinity, prettyBytes: 0, memoryIds: Infinity })
      answers[answer.index]?.push(answer.ending)
      return keeper(data, answer)
    }
    // Time enough that no request times out on a busy machine: each answer here is a status the keeper sees.
    const settings = { taskIds: ids, failFast: false, maxRequestsPerSecond: 200, timeoutMs: 60_000, requestTimeoutMs: 30_000 }
    const { result } = await waitAgainst(simulator, settings, { keep })

    // Every answer reached the keeper as it came, for its own task, the last one with how the task ended.
    ids.forEach((taskId, index) => {
      const ended = result.tasks[index]?.conclusion
      expect(answers[index]?.length).toBe(simulator.statusRequests(taskId).length)
      expect(answers[index]?.at(-1)).toBe(ended)
      expect(answers[index]?.slice(0, -1).every((ending) => ending === undefined)).toBe(true)
    })

    const outputs = buildOutputs(result)
    const fromWhole = { ...result, tasks: result.tasks.map((task, index) => ({ ...task, data: whole[index] ?? null })) }
    expect(outputs).toEqual(buildOutputs(fromWhole))
    const summary = buildSummary(result, outputs, CLOUD)
    expect(summary).toBe(buildSummary(fromWhole, buildOutputs(fromWhole), CLOUD))

    // The outputs as they were: every answer is over 64 KiB, so each task's data is a note with its size.
    expect(JSON.parse(outputs.result)).toEqual(
      whole.map((data) => ({ _truncated: `data of ${data?.bytes} bytes left out of this output; the job summary shows its start` }))
    )
    expect(summary).toContain(`Memory ids (${TASKS * IDS_PER_TASK})`)
    expect(summary).toContain(`${TASKS * IDS_PER_TASK - 200} more ids not listed.`)

    for (const [index, task] of result.tasks.entries()) {
      const kept = Buffer.byteLength(JSON.stringify(task.data))
      // A completed task keeps its counts and ids up to 200; one that failed also the 4 KiB its data block shows.
      expect(kept).toBeLessThan(task.conclusion === 'failure' ? 12 * 1024 : 6 * 1024)
      expect(whole[index]?.bytes).toBeGreaterThan(64 * 1024)
    }
  })
})
