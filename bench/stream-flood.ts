/**
 * The rows for a flooded wait stream: dist/index.js, run as the runner runs it, against a self-hosted simulator
 * whose stream floods (60 kB `data:` lines without a blank line, or one line that never ends), beside the same
 * run with a normal stream. What they measure is the action process itself: its peak RSS and its CPU seconds.
 * `npm run bench -- --only stream-flood` measures these rows alone and puts them into the existing report.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemosSimulator, type StreamBehaviour } from '../simulator/memos-simulator.js'
import { actionDefaults, DIST, ROOT } from '../testing/run-action.js'

/** The case the issue was found with: a task that finishes after 12 s, `interval: 10s`, `timeout: 40s`. */
const TASK_MS = 12_000
const INPUTS = { interval: '10s', timeout: '40s' }
export const FLOOD_RSS_TARGET_MB = 200
export const FLOOD_CPU_TARGET_SECONDS = 2
export const FLOOD_SECTION = '## The wait stream flooded'
const FLOOD_TARGET_PREFIX = '| Wait stream flooded'

export interface FloodRun {
  behaviour: StreamBehaviour
  peakRssMb: number
  cpuSeconds: number
  wallMs: number
  conclusion: string
  streams: number
  /** What the step said about the stream at info level: the verdict, once. */
  verdicts: string[]
}

const BEHAVIOURS: Array<[StreamBehaviour, string]> = [
  ['normal', 'a normal stream (a frame every interval)'],
  ['flood-lines', '60 kB `data:` lines, never a blank line'],
  ['flood-line', 'one `data:` line that never ends']
]

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())

interface Usage {
  peakRssKb: number
  cpuTicks: number
}

/** The process's peak RSS (VmHWM) and CPU time (utime + stime) so far; undefined once it has exited. */
function usageOf(pid: number): Usage | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The fields after the command name, which may itself hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { peakRssKb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0), cpuTicks: Number(fields[11]) + Number(fields[12]) }
  } catch {
    return undefined
  }
}

async function measureOne(node: string, behaviour: StreamBehaviour): Promise<FloodRun> {
  const simulator = new MemosSimulator({ api: 'self-hosted' })
  await simulator.start()
  simulator.streamBehaviour = behaviour
  simulator.addTask('flood-task', { durationMs: TASK_MS })
  const dir = mkdtempSync(join(tmpdir(), 'memos-bench-'))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary')
  }
  writeFileSync(env.GITHUB_OUTPUT as string, '')
  writeFileSync(env.GITHUB_STEP_SUMMARY as string, '')
  const inputs = {
    ...actionDefaults(),
    ...INPUTS,
    task_id: 'flood-task',
    api: 'self-hosted',
    user_id: 'ci-user',
    base_url: simulator.baseUrl
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const spawnedAt = performance.now()
  const child = spawn(node, [DIST], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'ignore'] })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  // Both only grow: the last sample is the run's, less what its last 20 ms added. An exited process not yet
  // reaped still has its CPU time in /proc, but no memory.
  const last: Usage = { peakRssKb: 0, cpuTicks: 0 }
  const sampler = setInterval(() => {
    const usage = usageOf(child.pid as number)
    last.peakRssKb = Math.max(last.peakRssKb, usage?.peakRssKb ?? 0)
    last.cpuTicks = Math.max(last.cpuTicks, usage?.cpuTicks ?? 0)
  }, 20)
  const exitedAt = await new Promise<number>((resolve) => child.on('close', () => resolve(performance.now())))
  clearInterval(sampler)
  const conclusion = /conclusion<<(\S+)\n(.*)\n/.exec(readFileSync(env.GITHUB_OUTPUT as string, 'utf8'))?.[2] ?? '?'
  const streams = simulator.streamRequests().length
  await simulator.stop()
  rmSync(dir, { recursive: true, force: true })
  return {
    behaviour,
    peakRssMb: last.peakRssKb / 1024,
    cpuSeconds: last.cpuTicks / CLOCK_TICKS,
    wallMs: exitedAt - spawnedAt,
    conclusion,
    streams,
    verdicts: stdout.split('\n').filter((line) => line.startsWith("The server's wait stream is not usable"))
  }
}

/** One run per stream behaviour, one after the other so that they do not share the machine. */
export async function measureFloodedStream(node: string): Promise<FloodRun[]> {
  const runs: FloodRun[] = []
  for (const [behaviour] of BEHAVIOURS) runs.push(await measureOne(node, behaviour))
  return runs
}

const withinTargets = (run: FloodRun): boolean =>
  run.peakRssMb < FLOOD_RSS_TARGET_MB && run.cpuSeconds < FLOOD_CPU_TARGET_SECONDS && run.conclusion === 'success'

/** The row of the report's Targets table. */
export function floodTargetRow(runs: FloodRun[]): string {
  const floods = runs.filter((run) => run.behaviour !== 'normal')
  const measured = floods.map((run) => `${run.behaviour}: ${run.peakRssMb.toFixed(0)} MB, ${run.cpuSeconds.toFixed(2)} s`).join('; ')
  return `${FLOOD_TARGET_PREFIX} (a ${TASK_MS / 1000} s task, interval ${INPUTS.interval}, timeout ${INPUTS.timeout}): the step succeeds, peak RSS < ${FLOOD_RSS_TARGET_MB} MB, CPU < ${FLOOD_CPU_TARGET_SECONDS} s | ${measured} | ${floods.every(withinTargets) ? '✅' : '❌'} |`
}

/** The report's section; `measuredAlone` says when and how it was measured apart from the rest. */
export function floodSection(runs: FloodRun[], measuredAlone?: string): string[] {
  const name = (behaviour: StreamBehaviour): string => BEHAVIOURS.find(([known]) => known === behaviour)?.[1] ?? behaviour
  return [
    FLOOD_SECTION,
    '',
    `dist/index.js waits for a self-hosted task that finishes after ${TASK_MS / 1000} s, with \`interval: ${INPUTS.interval}\` and \`timeout: ${INPUTS.timeout}\`, while the`,
    "simulator's wait stream sends what a broken server, or a proxy answering the stream's path, could send without end, as fast as the",
    'step reads it. Peak RSS (VmHWM) and CPU time (user + system) are those of the action process, sampled from /proc every 20 ms.',
    ...(measuredAlone ? ['', measuredAlone] : []),
    '',
    '| Stream | Peak RSS | CPU | Wall time | Conclusion | Stream requests | What the step said about the stream |',
    '| --- | ---: | ---: | ---: | --- | ---: | --- |',
    ...runs.map(
      (run) =>
        `| ${name(run.behaviour)} | ${run.peakRssMb.toFixed(0)} MB | ${run.cpuSeconds.toFixed(2)} s | ${(run.wallMs / 1000).toFixed(1)} s | ${run.conclusion} | ${run.streams} | ${run.verdicts.length === 0 ? 'nothing' : `${run.verdicts.length} × ${quoteVerdict(run.verdicts[0] as string)}`} |`
    ),
    '',
    'A stream over its limit is closed like any other unusable stream: the step polls on its schedule, says so once, and opens the',
    'stream again with its backoff while time is left.',
    ''
  ]
}

/** The verdict's reason, from the line the step logged. */
function quoteVerdict(line: string): string {
  return `“${/not usable \((.*)\); polling/.exec(line)?.[1] ?? line}”`
}

/**
 * The report with this section and its target row in place of the old ones, for a run of these rows alone:
 * the section goes where it was, or before the next section after the stream's; the row ends the Targets table.
 */
export function spliceFloodRows(report: string, section: string[], targetRow: string): string {
  const lines = report.split('\n').filter((line) => !line.startsWith(FLOOD_TARGET_PREFIX))
  const targetsEnd = lines.indexOf('', lines.indexOf('| Target | Measured | |'))
  lines.splice(targetsEnd, 0, targetRow)
  const start = lines.indexOf(FLOOD_SECTION)
  if (start >= 0) {
    const next = lines.findIndex((line, index) => index > start && line.startsWith('## '))
    lines.splice(start, (next < 0 ? lines.length : next) - start, ...section)
  } else {
    const streamSection = lines.findIndex((line) => line.startsWith('## Self-hosted'))
    const next = lines.findIndex((line, index) => index > streamSection && line.startsWith('## '))
    lines.splice(next < 0 ? lines.length : next, 0, ...section)
  }
  return lines.join('\n')
}
