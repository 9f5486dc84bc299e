/**
 * What the report keeps of a task's `data` through the wait, instead of the object itself: an answer may carry
 * megabytes (thousands of memory ids), while the outputs and the summary are capped whatever it holds. Each answer
 * is reduced as it arrives (data-keeper.ts decides how far), to what the report can ever show of it:
 * - the outputs: the data whole, only while it is at most OUTPUT_DATA_LIMIT bytes and could still be shown whole;
 *   otherwise only its size, which the note that stands for it gives;
 * - the summary: the memory counts, the first memory ids and how many there are in all, whether the data says more
 *   than the status, and the start of its pretty-printed JSON with that text's full size, which is what the
 *   summary's data blocks show ("… truncated: showing X of Y bytes").
 */
import type { TaskResult, WaitResult } from '../wait/results.js'
import { type MemoryChanges, memoryChanges } from './memory-views.js'

export interface KeptData {
  /** Bytes of the data as compact JSON. */
  bytes: number
  /** The data itself, while the outputs may show it whole. */
  whole: Record<string, unknown> | undefined
  /**
   * When `whole` is not kept: the pretty-printed JSON's size, and its start, at least as many bytes as the summary
   * shows of it (the whole text when that is shorter). Undefined where the summary shows none.
   */
  pretty: { bytes: number; start: string } | undefined
  /** Whether the data says more than the task id and status, which the summary shows anyway. */
  telling: boolean
  memory: MemoryChanges | undefined
}

/** How much of one answer's data to keep. */
export interface KeepRoom {
  /** Keep the data itself if its compact JSON is at most this many bytes; 0 keeps it in no case. */
  wholeBytes: number
  /** Bytes of pretty-printed JSON to keep when the data itself is not kept. */
  prettyBytes: number
  /** Memory ids to keep, over all categories. */
  memoryIds: number
}

/** A task's result and a wait's, as the report reads them. */
export type KeptTaskResult = TaskResult<KeptData>
export type KeptWaitResult = WaitResult<KeptData>

export function keepData(data: Record<string, unknown>, room: KeepRoom): KeptData {
  const bytes = Buffer.byteLength(JSON.stringify(data))
  const whole = bytes <= room.wholeBytes ? data : undefined
  return {
    bytes,
    whole,
    pretty: whole === undefined && room.prettyBytes > 0 ? prettyStart(data, room.prettyBytes) : undefined,
    telling: Object.keys(data).some((key) => key !== 'task_id' && key !== 'status'),
    memory: memoryChanges(data, room.memoryIds)
  }
}

/** The data's pretty-printed JSON: kept, or printed from the data kept whole. */
export function prettyData(data: KeptData): { bytes: number; start: string } | undefined {
  if (data.whole === undefined) return data.pretty
  const text = JSON.stringify(data.whole, null, 2)
  return { bytes: Buffer.byteLength(text), start: text }
}

/**
 * The first `maxBytes` bytes of the pretty JSON, and the rest of the character they end in, so that any cut at up
 * to `maxBytes` bytes is the same as a cut of the whole text.
 */
function prettyStart(data: Record<string, unknown>, maxBytes: number): { bytes: number; start: string } {
  const text = JSON.stringify(data, null, 2)
  const encoded = Buffer.from(text)
  let end = maxBytes
  // Continuation bytes are 10xxxxxx; past the end there is none. A text within maxBytes comes back whole.
  while ((encoded[end] ?? 0) >> 6 === 0b10) end++
  return { bytes: encoded.length, start: encoded.subarray(0, end).toString('utf8') }
}
