/** What is kept of one answer's data, and how little of it a wait keeps per task whatever the answer holds. */
import type { AnswerData } from '../../src/wait/results.js'
import { dataKeeper } from '../../src/report/data-keeper.js'
import { keepData, type KeptData, prettyData } from '../../src/report/kept-data.js'

const views = (count: number): AnswerData => ({
  status: 'completed',
  memory_views: {
    added: count,
    updated: 0,
    deleted: 0,
    detail_factual: { memory_ids: Array.from({ length: count / 2 }, (_, i) => `memos_mem_${String(i).padStart(6, '0')}`) },
    preference: { memory_ids: Array.from({ length: count / 2 }, (_, i) => `memos_pref_${String(i).padStart(6, '0')}`) }
  }
})
/** An import that wrote many memories: 5,000 ids and a megabyte besides. */
const HUGE: AnswerData = { ...views(5000), blob: 'b'.repeat(1024 * 1024) }
const keptBytes = (kept: KeptData): number => Buffer.byteLength(JSON.stringify(kept))

describe('one answer, kept', () => {
  const data = { task_id: 't', status: 'completed', note: 'é'.repeat(100) }

  it('is sized as its compact JSON, in bytes', () => {
    expect(keepData(data, { wholeBytes: 0, prettyBytes: 0, memoryIds: 0 }).bytes).toBe(Buffer.byteLength(JSON.stringify(data)))
  })

  it.each([
    ['within', 1, true],
    ['over', -1, false]
  ])('keeps the data itself only %s the bytes it may', (_name, slack, whole) => {
    const bytes = Buffer.byteLength(JSON.stringify(data))
    const kept = keepData(data, { wholeBytes: bytes - 1 + slack, prettyBytes: 100, memoryIds: 0 })
    expect(kept.whole === data).toBe(whole)
    // The pretty JSON is printed from the data kept whole, or kept in its stead.
    expect(kept.pretty === undefined).toBe(whole)
  })

  it('keeps the whole pretty JSON when it is short enough, with its size', () => {
    const text = JSON.stringify(data, null, 2)
    expect(prettyData(keepData(data, { wholeBytes: 0, prettyBytes: Buffer.byteLength(text), memoryIds: 0 }))).toEqual({
      bytes: Buffer.byteLength(text),
      start: text
    })
  })

  it.each(['é', '€', '😀'])('keeps the start of a longer pretty JSON to the end of the %s the cut falls in', (char) => {
    const long = { note: char.repeat(200) }
    const text = JSON.stringify(long, null, 2)
    for (let prettyBytes = 20; prettyBytes < 30; prettyBytes++) {
      const pretty = keepData(long, { wholeBytes: 0, prettyBytes, memoryIds: 0 }).pretty
      const start = Buffer.from(pretty?.start ?? '')
      expect(pretty?.bytes).toBe(Buffer.byteLength(text))
      expect(text.startsWith(pretty?.start ?? '?')).toBe(true)
      expect(start.length - prettyBytes).toBeGreaterThanOrEqual(0)
      expect(start.length - prettyBytes).toBeLessThan(Buffer.byteLength(char))
    }
  })

  it('keeps no pretty JSON when asked for none', () => {
    expect(keepData(data, { wholeBytes: 0, prettyBytes: 0, memoryIds: 0 }).pretty).toBeUndefined()
    expect(prettyData(keepData(data, { wholeBytes: 0, prettyBytes: 0, memoryIds: 0 }))).toBeUndefined()
  })

  it.each<[string, AnswerData, boolean]>([
    ['the task id and status only', { task_id: 't', status: 'failed' }, false],
    ['anything more', { task_id: 't', status: 'failed', detail: 'quota' }, true]
  ])('says whether it tells more than the status: %s', (_name, answer, telling) => {
    expect(keepData(answer, { wholeBytes: 0, prettyBytes: 0, memoryIds: 0 }).telling).toBe(telling)
  })

  it('keeps the memory counts, the first ids over the categories, and how many it left out', () => {
    expect(keepData(views(10), { wholeBytes: 0, prettyBytes: 0, memoryIds: 7 }).memory).toEqual({
      added: 10,
      updated: 0,
      deleted: 0,
      ids: [
        { category: 'detail_factual', ids: Array.from({ length: 5 }, (_, i) => `memos_mem_00000${i}`) },
        { category: 'preference', ids: ['memos_pref_000000', 'memos_pref_000001'] }
      ],
      idsLeftOut: 3
    })
  })
})

describe('what a wait keeps per task, whatever the answer holds', () => {
  it('one task: its data whole up to 64 KiB', () => {
    const data = { status: 'completed', blob: 'x'.repeat(64 * 1024 - '{"status":"completed","blob":""}'.length) }
    const kept = dataKeeper(1)(data, { index: 0, ending: 'success' })
    expect([kept.bytes, kept.whole === data]).toEqual([64 * 1024, true])
  })

  it('one task: the start its summary shows and 200 ids, of an answer of a megabyte and 5,000 ids', () => {
    const kept = dataKeeper(1)(HUGE, { index: 0, ending: 'success' })
    expect(kept.pretty?.start).toHaveLength(32 * 1024)
    expect(kept.memory?.idsLeftOut).toBe(4800)
    expect(keptBytes(kept)).toBeLessThan(40 * 1024)
  })

  it('a batch: a completed task keeps no pretty JSON, and the ids the first tasks leave room for', () => {
    const keep = dataKeeper(3)
    const first = keep(HUGE, { index: 0, ending: 'success' })
    const second = keep(HUGE, { index: 1, ending: 'success' })
    expect([first.pretty, second.pretty]).toEqual([undefined, undefined])
    expect(first.memory?.idsLeftOut).toBe(4800)
    expect(keptBytes(first)).toBeLessThan(6 * 1024)
    // The first task's ids fill the summary's list: the second keeps none, but counts them.
    expect(second.memory).toMatchObject({ ids: [], idsLeftOut: 5000 })
    expect(keptBytes(second)).toBeLessThan(512)
  })

  it('a batch: a task keeps the ids its finished predecessors leave, and a task that is not finished leaves them all', () => {
    const keep = dataKeeper(4)
    keep(views(150), { index: 1, ending: undefined })
    keep(views(150), { index: 2, ending: 'failure' })
    expect(keep(views(300), { index: 3, ending: 'success' }).memory?.idsLeftOut).toBe(250)
    // Task 3 finished after task 0 answered: task 0 still keeps 200.
    expect(keep(views(300), { index: 0, ending: undefined }).memory?.idsLeftOut).toBe(100)
  })

  it('a batch: a task that did not succeed keeps the 4 KiB its data block shows', () => {
    const kept = dataKeeper(2)(HUGE, { index: 0, ending: 'failure' })
    expect(Buffer.byteLength(kept.pretty?.start ?? '')).toBe(4096)
    expect(keptBytes(kept)).toBeLessThan(12 * 1024)
  })

  it('a batch: data is kept whole only until the finished tasks alone pass what the outputs can show whole', () => {
    const keep = dataKeeper(20)
    const data = { status: 'completed', blob: 'w'.repeat(48 * 1024) }
    const kept = Array.from({ length: 12 }, (_, index) => keep(data, { index, ending: 'success' }))
    // 10 × 48 KiB and '{}' for the other ten still fit 512 KiB; 11 do not.
    expect(kept.map((task) => task.whole !== undefined)).toEqual([...Array(11).fill(true), false])
    expect(keptBytes(kept[11] as KeptData)).toBeLessThan(512)
  })
})
