/**
 * The memory rows of the benchmark: one run of dist/index.js on a batch of tasks whose completed answers each
 * carry many memory ids (an import that writes many memories per task), and its peak RSS. The outputs and the
 * summary are capped whatever the answers hold; the memory the step keeps should not grow with them either.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemosSimulator } from '../simulator/memos-simulator.js'
import { actionDefaults, DIST, parseOutputFile, ROOT } from '../testing/run-action.js'

const KEY = 'bench-key-not-a-secret'

export interface MemoryRun {
  tasks: number
  idsPerAnswer: number
  peakRssMb: number
  /** The bytes of every output together, and of the summary: what the step shows. */
  outputBytes: number
  summaryBytes: number
  wallMs: number
  conclusion: string
}

/** A completed answer's `memory_views`, with `ids` memory ids, as MemOS Cloud spells them. */
function memoryViews(taskIndex: number, ids: number): Record<string, unknown> {
  const memoryIds = Array.from({ length: ids }, (_, k) => `memos_mem_${String(taskIndex).padStart(5, '0')}_${String(k).padStart(6, '0')}`)
  return { memory_views: { added: ids, updated: 0, deleted: 0, detail_factual: { memory_ids: memoryIds } } }
}

/** Waits for `tasks` tasks, ids from `task_id_file`, at 1000 requests per second; each answer carries `idsPerAnswer` ids. */
export async function measureMemory(node: string, tasks: number, idsPerAnswer: number): Promise<MemoryRun> {
  const simulator = new MemosSimulator({ apiKey: KEY })
  await simulator.start()
  const dir = mkdtempSync(join(tmpdir(), 'memos-bench-'))
  try {
    const taskIds = Array.from({ length: tasks }, (_, index) => `memory-${index}`)
    taskIds.forEach((taskId, index) => simulator.addTask(taskId, { durationMs: 0, data: memoryViews(index, idsPerAnswer) }))
    const files = { ids: join(dir, 'ids'), output: join(dir, 'output'), summary: join(dir, 'summary'), peak: join(dir, 'peak') }
    writeFileSync(files.ids, taskIds.join('\n'))
    writeFileSync(files.output, '')
    writeFileSync(files.summary, '')
    const inputs = {
      ...actionDefaults(),
      task_id_file: files.ids,
      api_key: KEY,
      base_url: simulator.baseUrl,
      max_requests_per_second: '1000'
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      PEAK_RSS_FILE: files.peak
    }
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
    const started = performance.now()
    const child = spawn(node, ['--import', './bench/peak-rss.mjs', DIST], { cwd: ROOT, env, stdio: 'ignore' })
    await new Promise((resolve) => child.on('exit', resolve))
    const wallMs = performance.now() - started
    const outputs = parseOutputFile(readFileSync(files.output, 'utf8'))
    return {
      tasks,
      idsPerAnswer,
      peakRssMb: Number(readFileSync(files.peak, 'utf8')) / 1024,
      outputBytes: Object.values(outputs).reduce((bytes, value) => bytes + Buffer.byteLength(value), 0),
      summaryBytes: statSync(files.summary).size,
      wallMs,
      conclusion: outputs.conclusion ?? '?'
    }
  } finally {
    await simulator.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The batches measured: the first is the yardstick, a memory id per answer. */
const MEMORY_BATCHES: ReadonlyArray<readonly [tasks: number, idsPerAnswer: number]> = [
  [10_000, 1],
  [10_000, 500],
  [2_000, 5_000]
]
/** The most the step may hold for answers of 500 ids, against answers of one. */
const MEMORY_TARGET_RATIO = 1.5

export async function measureMemoryRows(node: string, log: (message: string) => void): Promise<MemoryRun[]> {
  const runs: MemoryRun[] = []
  for (const [tasks, ids] of MEMORY_BATCHES) {
    log(`memory: ${tasks} tasks × ${ids} memory ids per answer…`)
    runs.push(await measureMemory(node, tasks, ids))
  }
  return runs
}

const rowName = (run: MemoryRun): string =>
  `${run.tasks.toLocaleString('en-US')} tasks × ${run.idsPerAnswer.toLocaleString('en-US')} memory ${run.idsPerAnswer === 1 ? 'id' : 'ids'}`
const kB = (bytes: number): string => `${Math.round(bytes / 1000).toLocaleString('en-US')} kB`

/** The target row for the report's table: 500 ids per answer against one. */
export function memoryTarget(runs: MemoryRun[]): string {
  const [base, many] = runs
  if (!base || !many) throw new Error('the memory rows are missing')
  const ratio = many.peakRssMb / base.peakRssMb
  return `| Peak RSS of ${rowName(many)} ≤ ${MEMORY_TARGET_RATIO} × that of ${rowName(base)} | ${ratio.toFixed(2)} × (${many.peakRssMb.toFixed(0)} MB vs ${base.peakRssMb.toFixed(0)} MB) | ${ratio <= MEMORY_TARGET_RATIO ? '✅' : '❌'} |`
}

/** The report's section on memory. */
export function memorySection(runs: MemoryRun[]): string[] {
  return [
    '## Memory with large answers',
    '',
    'One run of dist/index.js per row, against the simulator: ids from `task_id_file`, `max_requests_per_second: 1000`, each task',
    "completed at its first poll with `memory_views` holding that many memory ids. Peak RSS is the process's own high-water mark",
    '(VmHWM, read as it exits). The step keeps of each answer only what the outputs and the summary can show, so what it holds does not',
    'grow with the answers; what is left of the growth is garbage not yet collected while answers of that size keep arriving.',
    '',
    '| Batch | Peak RSS | Outputs | Summary | Wall time | Conclusion |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...runs.map(
      (run) =>
        `| ${rowName(run)} | ${run.peakRssMb.toFixed(0)} MB | ${kB(run.outputBytes)} | ${kB(run.summaryBytes)} | ${(run.wallMs / 1000).toFixed(1)} s | ${run.conclusion} |`
    ),
    ''
  ]
}
