/**
 * The memories a task changed, read from `data.memory_views` (MemOS Cloud): counts of memories added, updated and
 * deleted, and the memory ids per category. The self-hosted server sends none; then there is nothing to show.
 */

export interface MemoryIds {
  category: string
  ids: string[]
}

export interface MemoryChanges {
  added: number
  updated: number
  deleted: number
  /** The categories that hold ids, in the order MemOS sent them, each with its ids (with `maxIds`, the first ones). */
  ids: MemoryIds[]
  /** With `maxIds`: how many ids were left out of `ids`, which the summary counts but cannot list; absent when none were. */
  idsLeftOut?: number
}

const COUNTS = new Set(['added', 'updated', 'deleted'])

/** The changes in `data`; with `maxIds`, only the first `maxIds` ids over all categories are read, and the rest counted. */
export function memoryChanges(data: Record<string, unknown> | null, maxIds = Infinity): MemoryChanges | undefined {
  const views = data?.memory_views
  if (typeof views !== 'object' || views === null || Array.isArray(views)) return undefined
  const record = views as Record<string, unknown>
  const ids: MemoryIds[] = []
  let room = maxIds
  let leftOut = 0
  for (const [category, value] of Object.entries(record)) {
    if (COUNTS.has(category)) continue
    // A category that is not an object (a number, text, null) has no memory_ids list, so no ids.
    const list = (value as { memory_ids?: unknown } | null)?.memory_ids
    if (!Array.isArray(list)) continue
    const read = list.slice(0, room).map((id) => String(id))
    if (read.length > 0) ids.push({ category, ids: read })
    room -= read.length
    leftOut += list.length - read.length
  }
  const changes = { added: count(record.added), updated: count(record.updated), deleted: count(record.deleted), ids }
  return leftOut > 0 ? { ...changes, idsLeftOut: leftOut } : changes
}

/** Every id the changes name, listed or left out. */
export function idCount(changes: MemoryChanges): number {
  return changes.ids.reduce((n, group) => n + group.ids.length, changes.idsLeftOut ?? 0)
}

/** The sum over the tasks that reported changes, and how many did. */
export function totalChanges(all: Array<MemoryChanges | undefined>): { total: MemoryChanges; tasks: number } | undefined {
  const reported = all.filter((changes): changes is MemoryChanges => changes !== undefined)
  if (reported.length === 0) return undefined
  const total = reported.reduce(
    (sum, changes) => ({
      added: sum.added + changes.added,
      updated: sum.updated + changes.updated,
      deleted: sum.deleted + changes.deleted,
      ids: []
    }),
    { added: 0, updated: 0, deleted: 0, ids: [] } as MemoryChanges
  )
  return { total, tasks: reported.length }
}

/** "+3 added · 1 updated · 2 deleted"; with `compact`, the zero counts are left out ("no change" if all are). */
export function describeChanges(changes: MemoryChanges, compact = false): string {
  const parts: Array<[number, string]> = [
    [changes.added, `+${changes.added} added`],
    [changes.updated, `${changes.updated} updated`],
    [changes.deleted, `${changes.deleted} deleted`]
  ]
  const kept = compact ? parts.filter(([n]) => n !== 0) : parts
  return kept.length === 0 ? 'no change' : kept.map(([, text]) => text).join(' · ')
}

function count(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN
  return Number.isFinite(n) ? n : 0
}
