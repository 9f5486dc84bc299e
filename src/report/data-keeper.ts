/**
 * What the report keeps of each status answer through a wait (see kept-data.ts), decided as the answer arrives.
 * Per task, at most: its data whole if its compact JSON is within OUTPUT_DATA_LIMIT (64 KiB), else only its size;
 * the start of its pretty-printed JSON that a data block shows (32 KiB for one task, 4 KiB in a batch); and
 * maxMemoryIds (200) memory ids. That is all the outputs and the summary can show of one task.
 *
 * Across the tasks of a batch, what the finished tasks show lowers those bounds further, where the report can no
 * longer show more; only finished tasks count, because their data is final:
 * - `result` shows data whole only while all of it fits OUTPUT_JSON_LIMIT (512 KiB) together, and `tasks`, whose
 *   entries hold more, only then too. Once the finished tasks' data alone, with the smallest object '{}' for
 *   every other task, passes that limit, no answer is kept whole any more: the notes need only the sizes. What was
 *   kept whole before stays: at most that limit, and one answer of 64 KiB per task not finished yet.
 * - The summary lists the first maxMemoryIds ids over the tasks in input order: a task keeps only what the
 *   finished tasks before it leave of that budget.
 * - A batch's summary shows the data of the tasks that did not succeed only: a completed task keeps no pretty JSON.
 */
import type { DataKeeper } from '../wait/results.js'
import { keepData, type KeptData } from './kept-data.js'
import { idCount } from './memory-views.js'
import { dataOutputBytes, OUTPUT_DATA_LIMIT, OUTPUT_JSON_LIMIT } from './outputs.js'
import { dataBlockBytes, DEFAULT_SUMMARY_LIMITS, type SummaryLimits } from './summary.js'

/** '{}': the smallest data an answer can bring. */
const SMALLEST_DATA_BYTES = 2

/** The keeper for a wait on `taskCount` tasks, for a summary within `limits`. */
export function dataKeeper(
  taskCount: number,
  limits: Pick<SummaryLimits, 'maxDataBytes' | 'maxMemoryIds'> = DEFAULT_SUMMARY_LIMITS
): DataKeeper<KeptData> {
  const batch = taskCount > 1
  // The least `result` can come to at OUTPUT_DATA_LIMIT: the brackets and commas, each finished task's data as
  // it stands there, and '{}' for every other task.
  let resultFloor = 1 + taskCount * (SMALLEST_DATA_BYTES + 1)
  const finishedIds = new PrefixSums(taskCount)
  return (data, { index, ending }) => {
    const kept = keepData(data, {
      wholeBytes: resultFloor <= OUTPUT_JSON_LIMIT ? OUTPUT_DATA_LIMIT : 0,
      prettyBytes: batch && ending === 'success' ? 0 : dataBlockBytes(limits, batch),
      memoryIds: Math.max(0, limits.maxMemoryIds - finishedIds.before(index))
    })
    if (ending) {
      resultFloor += dataOutputBytes(kept, OUTPUT_DATA_LIMIT) - SMALLEST_DATA_BYTES
      finishedIds.add(index, kept.memory ? idCount(kept.memory) : 0)
    }
    return kept
  }
}

/** Numbers by index, and the sum of those before an index, each in log n steps (a Fenwick tree). */
class PrefixSums {
  private readonly tree: number[]

  constructor(size: number) {
    this.tree = new Array<number>(size + 1).fill(0)
  }

  add(index: number, value: number): void {
    // Stryker disable next-line EqualityOperator: a step to the end writes a slot past every index, which no sum reads
    for (let i = index + 1; i < this.tree.length; i += i & -i) this.tree[i] = (this.tree[i] ?? 0) + value
  }

  /** The sum of the numbers at the indices below `index`. */
  before(index: number): number {
    let sum = 0
    for (let i = index; i > 0; i -= i & -i) sum += this.tree[i] ?? 0
    return sum
  }
}
