import { seededRandom } from '../../testing/virtual-clock.js'
import { MinHeap } from '../../src/wait/min-heap.js'

interface Due {
  at: number
  order: number
}

const byTimeThenOrder = (a: Due, b: Due): boolean => a.at < b.at || (a.at === b.at && a.order < b.order)

function drain(heap: MinHeap<Due>): Due[] {
  const out: Due[] = []
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item)
  return out
}

describe('the queue of tasks waiting for their next poll', () => {
  it('is empty at first: nothing to peek at or pop', () => {
    const heap = new MinHeap<Due>(byTimeThenOrder)
    expect(heap.size).toBe(0)
    expect(heap.peek()).toBeUndefined()
    expect(heap.pop()).toBeUndefined()
  })

  it.each([1, 2, 3, 4, 5])('hands out tasks in due order, ties in input order, whatever the push order (seed %p)', (seed) => {
    const random = seededRandom(seed)
    const items = Array.from({ length: 200 }, (_, order) => ({ at: Math.floor(random() * 50), order }))
    const heap = new MinHeap<Due>(byTimeThenOrder)
    const shuffled = items.map((item) => ({ item, key: random() })).sort((a, b) => a.key - b.key)
    for (const { item } of shuffled) heap.push(item)
    expect(heap.size).toBe(200)
    expect(drain(heap)).toEqual([...items].sort((a, b) => a.at - b.at || a.order - b.order))
    expect(heap.size).toBe(0)
  })

  it('hands back every task on drain, empty after, and orders them again when they are pushed back with new due times', () => {
    const heap = new MinHeap<Due>(byTimeThenOrder)
    for (let order = 0; order < 10; order++) heap.push({ at: order * 100, order })
    const drained = heap.drain()
    expect(heap.size).toBe(0)
    expect(drained.map((item) => item.order).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    // As a hint does: every task is due now (at 0), so input order decides.
    for (const item of drained) heap.push({ ...item, at: Math.min(item.at, 0) })
    expect(drain(heap).map((item) => item.order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('keeps its order while tasks are popped and pushed back with later due times, as the poller does', () => {
    const random = seededRandom(11)
    const heap = new MinHeap<Due>(byTimeThenOrder)
    for (let order = 0; order < 50; order++) heap.push({ at: 0, order })
    let last = { at: -1, order: -1 }
    for (let step = 0; step < 2000; step++) {
      const next = heap.peek()
      const popped = heap.pop()
      expect(popped).toBe(next)
      if (!popped) throw new Error('the queue ran empty')
      expect(byTimeThenOrder(popped, last)).toBe(false)
      last = popped
      heap.push({ at: popped.at + 1 + Math.floor(random() * 30), order: popped.order })
    }
    expect(heap.size).toBe(50)
  })
})
