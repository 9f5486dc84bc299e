import { describeChanges, idCount, type MemoryChanges, memoryChanges, totalChanges } from '../../src/report/memory-views.js'

const changes = (added: number, updated: number, deleted: number): MemoryChanges => ({ added, updated, deleted, ids: [] })

describe('the memories a task changed, read from its data', () => {
  it('reads the counts and the ids of each category, in the order MemOS sent them', () => {
    const data = {
      task_id: 't',
      status: 'completed',
      memory_views: {
        added: 3,
        updated: 1,
        deleted: 2,
        detail_factual: { memory_ids: ['m1', 'm2'] },
        preference: { memory_ids: ['m3'] }
      }
    }
    expect(memoryChanges(data)).toEqual({
      added: 3,
      updated: 1,
      deleted: 2,
      ids: [
        { category: 'detail_factual', ids: ['m1', 'm2'] },
        { category: 'preference', ids: ['m3'] }
      ]
    })
  })

  it.each<[string, Record<string, unknown> | null]>([
    ['no data at all', null],
    ['data without memory_views (the self-hosted server)', { task_id: 't', status: 'completed' }],
    ['memory_views that is null', { memory_views: null }],
    ['memory_views that is a list', { memory_views: [{ added: 1 }] }],
    ['memory_views that is a number', { memory_views: 3 }],
    ['memory_views that is text', { memory_views: 'added 3' }]
  ])('finds nothing to show in %s', (_name, data) => {
    expect(memoryChanges(data)).toBeUndefined()
  })

  it.each<[string, unknown, number]>([
    ['a number', 4, 4],
    ['a number as text', '4', 4],
    ['zero', 0, 0],
    ['text that is not a number', 'many', 0],
    ['an infinite number', Infinity, 0],
    ['null', null, 0],
    ['a list', [4], 0],
    ['nothing', undefined, 0]
  ])('counts %s as %p', (_name, value, count) => {
    expect(memoryChanges({ memory_views: { added: value, updated: value, deleted: value } })).toEqual({
      added: count,
      updated: count,
      deleted: count,
      ids: []
    })
  })

  it('skips categories without ids, and writes each id as text', () => {
    const data = {
      memory_views: {
        added: 1,
        empty: { memory_ids: [] },
        notAList: { memory_ids: 'm1' },
        noIds: { note: 'x' },
        nothing: null,
        aNumber: 7,
        numbered: { memory_ids: [12, 'm2'] }
      }
    }
    expect(memoryChanges(data)?.ids).toEqual([{ category: 'numbered', ids: ['12', 'm2'] }])
  })

  it.each<[number, MemoryChanges['ids'], number | undefined]>([
    [
      4,
      [
        { category: 'detail_factual', ids: ['m1', 'm2'] },
        { category: 'preference', ids: ['m3', 'm4'] }
      ],
      2
    ],
    [2, [{ category: 'detail_factual', ids: ['m1', 'm2'] }], 4],
    [0, [], 6],
    [
      6,
      [
        { category: 'detail_factual', ids: ['m1', 'm2'] },
        { category: 'preference', ids: ['m3', 'm4', 'm5', 'm6'] }
      ],
      undefined
    ]
  ])('reads only the first %i ids over the categories, and counts those it leaves out', (maxIds, ids, idsLeftOut) => {
    const data = {
      memory_views: { added: 6, detail_factual: { memory_ids: ['m1', 'm2'] }, preference: { memory_ids: ['m3', 'm4', 'm5', 'm6'] } }
    }
    const changes = memoryChanges(data, maxIds)
    expect(changes).toEqual({ added: 6, updated: 0, deleted: 0, ids, ...(idsLeftOut === undefined ? {} : { idsLeftOut }) })
    expect(changes && idCount(changes)).toBe(6)
  })

  it('never takes the counts for categories, even when they are objects', () => {
    const data = { memory_views: { added: { memory_ids: ['x'] }, updated: { memory_ids: ['y'] }, deleted: { memory_ids: ['z'] } } }
    expect(memoryChanges(data)).toEqual({ added: 0, updated: 0, deleted: 0, ids: [] })
  })
})

describe('the memories of a batch', () => {
  it('adds up the tasks that reported changes and counts them', () => {
    expect(totalChanges([changes(1, 2, 3), undefined, changes(10, 20, 30)])).toEqual({ total: changes(11, 22, 33), tasks: 2 })
  })

  it.each([
    ['no task', []],
    ['tasks that reported none', [undefined, undefined]]
  ])('has nothing to total for %s', (_name, all) => {
    expect(totalChanges(all)).toBeUndefined()
  })
})

describe('the memories in words', () => {
  it.each<[string, MemoryChanges, boolean, string]>([
    ['every count, zeros too', changes(3, 0, 2), false, '+3 added · 0 updated · 2 deleted'],
    ['no change at all, in full', changes(0, 0, 0), false, '+0 added · 0 updated · 0 deleted'],
    ['the counts that are not zero, in a cell', changes(0, 1, 2), true, '1 updated · 2 deleted'],
    ['only additions, in a cell', changes(5, 0, 0), true, '+5 added'],
    ['only deletions, in a cell', changes(0, 0, 1), true, '1 deleted'],
    ['no change, in a cell', changes(0, 0, 0), true, 'no change']
  ])('%s', (_name, counts, compact, words) => {
    expect(describeChanges(counts, compact)).toBe(words)
  })

  it('is in full unless asked to be compact', () => {
    expect(describeChanges(changes(0, 0, 0))).toBe('+0 added · 0 updated · 0 deleted')
  })
})
