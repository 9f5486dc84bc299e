/**
 * The outputs and the summary read from what the keeper kept of each answer are byte for byte those read from the
 * data itself, in every case where the keeper keeps less: each case is reported both ways, and each checks that it
 * reaches the part of the report it is about.
 */
import type { AnswerData, TaskConclusion } from '../../src/wait/results.js'
import { dataKeeper } from '../../src/report/data-keeper.js'
import { keepData, type KeptData, type KeptTaskResult } from '../../src/report/kept-data.js'
import { buildOutputs, type Outputs } from '../../src/report/outputs.js'
import { buildSummary } from '../../src/report/summary.js'
import { cancelled, CLOUD, completed, failed, notFound, notWaitedFor, resultOf, timedOut } from '../../testing/task-results.js'

/** A task of the wait: how it ended and the data of each of its answers; the last one ends it if it succeeded or failed. */
interface Spec {
  conclusion: TaskConclusion
  answers: AnswerData[]
}

/** The data itself: what the report read of every answer before it kept less. */
const WHOLE = { wholeBytes: Infinity, prettyBytes: 0, memoryIds: Infinity }

const MAKERS: Record<TaskConclusion, (taskId: string) => KeptTaskResult> = {
  success: (taskId) => completed(taskId),
  failure: failed,
  error: notFound,
  timed_out: timedOut,
  pending: (taskId) => notWaitedFor(taskId, 't0'),
  cancelled
}

/**
 * The wait reported from the data itself and from what the keeper kept, the answers arriving round by round
 * (every task's first answer, then every second one…), the tasks of a round in input order or in reverse.
 */
function bothWays(specs: Spec[], order: 'input' | 'reverse' = 'input'): { whole: [Outputs, string]; kept: [Outputs, string] } {
  const keep = dataKeeper(specs.length)
  const kept: Array<KeptData | null> = specs.map(() => null)
  const rounds = Math.max(...specs.map((spec) => spec.answers.length))
  const indices = [...specs.keys()]
  if (order === 'reverse') indices.reverse()
  for (let round = 0; round < rounds; round++) {
    for (const index of indices) {
      const { conclusion, answers } = specs[index] as Spec
      const data = answers[round]
      if (!data) continue
      const last = round === answers.length - 1
      const ending = last && (conclusion === 'success' || conclusion === 'failure') ? conclusion : undefined
      kept[index] = keep(data, { index, ending })
    }
  }
  const report = (data: (index: number) => KeptData | null): [Outputs, string] => {
    const result = resultOf(specs.map((spec, index) => ({ ...MAKERS[spec.conclusion](`t${index}`), data: data(index) })))
    const outputs = buildOutputs(result)
    return [outputs, buildSummary(result, outputs, CLOUD)]
  }
  return {
    whole: report((index) => {
      const last = specs[index]?.answers.at(-1)
      return last ? keepData(last, WHOLE) : null
    }),
    kept: report((index) => kept[index] ?? null)
  }
}

const blob = (bytes: number, status = 'completed'): AnswerData => ({
  status,
  blob: 'x'.repeat(bytes - `{"status":"${status}","blob":""}`.length)
})
const memories = (count: number, prefix = 'm'): AnswerData => ({
  status: 'completed',
  memory_views: {
    added: count,
    updated: 0,
    deleted: 0,
    detail_factual: { memory_ids: Array.from({ length: count - Math.floor(count / 3) }, (_, i) => `${prefix}${i}`) },
    preference: { memory_ids: Array.from({ length: Math.floor(count / 3) }, (_, i) => `${prefix}p${i}`) }
  }
})
/** Pretty JSON of 'x' then `char`s, long enough that the 32 KiB cut falls `offset` bytes into one of them. */
const straddling = (char: string, offset: number): AnswerData => {
  const head = `{\n  "status": "completed",\n  "note": "`.length
  return { status: 'completed', note: 'x'.repeat(32 * 1024 - head - offset) + char.repeat(20_000) }
}
const times = (count: number, spec: Spec): Spec[] => Array.from({ length: count }, () => spec)
/** Ten completed tasks whose `result` output is `bytes` long: eight of at most 64 KiB between two of '{"status":"completed"}'. */
const resultOfBytes = (bytes: number): Spec[] => {
  const small: AnswerData = { status: 'completed' }
  const inner = bytes - 2 - 9 - 2 * JSON.stringify(small).length
  const sizes = Array.from({ length: 8 }, (_, i) => Math.min(64 * 1024, inner - 64 * 1024 * i))
  return [small, ...sizes.map((size) => blob(size)), small].map((data) => ({ conclusion: 'success', answers: [data] }))
}

describe('what the report shows is the same from what was kept as from the data itself', () => {
  it.each<[string, Spec[], Array<(outputs: Outputs, summary: string) => boolean>]>([
    ['one task with small data', [{ conclusion: 'success', answers: [{ status: 'running' }, { status: 'completed', note: 'ok' }] }], []],
    [
      'one task whose data is exactly 64 KiB, kept whole',
      [{ conclusion: 'success', answers: [blob(64 * 1024)] }],
      [(outputs) => !outputs.result.includes('_truncated'), (_, summary) => summary.includes('… truncated: showing 32768 of')]
    ],
    [
      'one task whose data is a byte over 64 KiB, left out of the outputs',
      [{ conclusion: 'success', answers: [blob(64 * 1024 + 1)] }],
      [(outputs) => outputs.result.includes('data of 65537 bytes left out')]
    ],
    [
      'one failed task with 3 MB of data',
      [{ conclusion: 'failure', answers: [blob(3 * 1024 * 1024, 'failed')] }],
      [(_, summary) => summary.includes('showing 32768 of')]
    ],
    ...['é', '€', '😀', '\uFFFD'].flatMap((char) =>
      [0, 1, 2, 3].map((offset): [string, Spec[], Array<(outputs: Outputs, summary: string) => boolean>] => [
        `one task whose data block is cut ${offset} bytes into a '${char}'`,
        [{ conclusion: 'success', answers: [straddling(char, offset)] }],
        [(_, summary) => summary.includes('showing 32768 of')]
      ])
    ),
    [
      'one task with 450 memory ids, 200 listed',
      [{ conclusion: 'success', answers: [memories(450)] }],
      [(_, summary) => summary.includes('Memory ids (450)') && summary.includes('250 more ids not listed.')]
    ],
    [
      'a batch of 8 tasks of 48 KiB, shown whole',
      times(8, { conclusion: 'success', answers: [blob(48 * 1024)] }),
      [(outputs) => !outputs.result.includes('_truncated') && !outputs.tasks.includes('_truncated')]
    ],
    [
      'a batch of 8 tasks of exactly 64 KiB, 9 bytes too many to show whole',
      times(8, { conclusion: 'success', answers: [blob(64 * 1024)] }),
      [(outputs) => (JSON.parse(outputs.result) as Array<{ _truncated?: string }>).every((data) => data._truncated)]
    ],
    [
      // The tasks at both ends answer last in one order or the other, each with the smallest data there is: when
      // it arrives, what the others hold leaves it exactly the room of its own bytes.
      'a batch whose data comes to exactly the 512 KiB of result, shown whole',
      resultOfBytes(512 * 1024),
      [(outputs) => outputs.result.length === 512 * 1024 && !outputs.result.includes('_truncated')]
    ],
    [
      'a batch whose data comes to a byte over the 512 KiB of result, each a note',
      resultOfBytes(512 * 1024 + 1),
      [(outputs) => (JSON.parse(outputs.result) as Array<{ _truncated?: string }>).every((data) => data._truncated)]
    ],
    [
      'a batch of 12 tasks of 48 KiB, each a note',
      times(12, { conclusion: 'success', answers: [{ status: 'running' }, blob(48 * 1024)] }),
      [(outputs) => (JSON.parse(outputs.result) as Array<{ _truncated?: string }>).every((data) => data._truncated)]
    ],
    [
      'a batch of 6,000 tasks, each null',
      times(6000, { conclusion: 'success', answers: [blob(200)] }),
      [(outputs) => (JSON.parse(outputs.result) as unknown[]).every((data) => data === null)]
    ],
    [
      'a batch whose tasks each hold 300 memory ids',
      times(5, { conclusion: 'success', answers: [memories(300)] }),
      [(_, summary) => summary.includes('Memory ids (1500)') && summary.includes('1300 more ids not listed.')]
    ],
    [
      'a batch whose ids fit the list but for one',
      [...times(3, { conclusion: 'success', answers: [memories(50)] }), { conclusion: 'success', answers: [memories(51)] }],
      [(_, summary) => summary.includes('1 more ids not listed.')]
    ],
    [
      'a batch of failed tasks whose data blocks are cut',
      times(20, { conclusion: 'failure', answers: [blob(40 * 1024, 'failed')] }),
      [(_, summary) => summary.includes('showing 4096 of'), (outputs) => outputs.result.includes('_truncated')]
    ],
    [
      'a batch whose unfinished tasks end with less data than they had',
      [
        ...times(3, { conclusion: 'timed_out', answers: [blob(60 * 1024, 'running'), { status: 'running' }] }),
        ...times(12, { conclusion: 'success', answers: [{ status: 'running' }, blob(40 * 1024)] })
      ],
      [(outputs) => !outputs.result.includes('_truncated')]
    ],
    [
      'a batch that was stopped, with tasks of every ending',
      [
        { conclusion: 'failure', answers: [memories(120, 'f'), blob(70 * 1024, 'failed')] },
        { conclusion: 'success', answers: [memories(150)] },
        { conclusion: 'error', answers: [{ status: 'running', detail: 'y'.repeat(9000) }] },
        { conclusion: 'pending', answers: [memories(60, 'p')] },
        { conclusion: 'cancelled', answers: [] }
      ],
      [(_, summary) => summary.includes('10 more ids not listed.') && summary.includes('showing 4096 of')]
    ]
  ])('%s', (_name, specs, reaches) => {
    for (const order of ['input', 'reverse'] as const) {
      const { whole, kept } = bothWays(specs, order)
      expect(kept[0]).toEqual(whole[0])
      expect(kept[1]).toBe(whole[1])
      for (const reached of reaches) expect(reached(...whole)).toBe(true)
    }
  })
})

describe('the memory ids a task keeps', () => {
  const ids = [80, 0, 90, 10, 60, 25, 5, 40, 50]
  const listed = (kept: KeptData): number => kept.memory?.ids.reduce((count, group) => count + group.ids.length, 0) ?? 0
  // The sums over the tasks before a task come from a tree of partial sums: these orders reach each of its steps.
  it.each([
    ['in input order', [0, 1, 2, 3, 4, 5, 6, 7, 8]],
    ['in reverse', [8, 7, 6, 5, 4, 3, 2, 1, 0]],
    ['out of order', [2, 5, 0, 7, 3, 8, 1, 6, 4]],
    ['the odd ones first', [0, 2, 4, 6, 8, 1, 3, 5, 7]]
  ])("finishing %s: what the finished tasks before it in input order leave of the summary's 200", (_name, order) => {
    const keep = dataKeeper(ids.length)
    const finished: number[] = []
    for (const index of order) {
      const own = ids[index] as number
      const before = finished.filter((other) => other < index).reduce((sum, other) => sum + (ids[other] as number), 0)
      expect(listed(keep(memories(own), { index, ending: 'success' }))).toBe(Math.min(own, Math.max(0, 200 - before)))
      finished.push(index)
    }
  })
})
