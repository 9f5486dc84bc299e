/**
 * `npm run bench`: how soon the action sees a finished task, what the wait costs in requests, how fast it
 * starts and exits, and how it handles a large batch, side by side with other polling policies. Every
 * figure in the report is measured in the run that writes it. Writes docs/benchmarks.md,
 * docs/benchmark-table.md (the README's table) and docs/benchmarks.svg.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock } from '../src/shared/clock.js'
import { formatDuration } from '../src/shared/duration.js'
import { HINTED_WAIT_FACTOR } from '../src/wait/schedule.js'
import { readSettings } from '../src/settings/read-settings.js'
import type { Settings } from '../src/settings/settings.js'
import { connect } from '../src/memos/connect.js'
import { waitForTasks } from '../src/wait/poller.js'
import { USER_AGENT } from '../src/shared/version.js'
import { MemosSimulator, peakInWindow } from '../simulator/memos-simulator.js'
import { actionDefaults, DIST, ROOT } from '../testing/run-action.js'
import { budgetReport, measureBudget } from './budget.js'
import { renderChart } from './chart.js'
import { measureMemoryRows, memorySection, memoryTarget } from './memory.js'
import { COMPETITORS, pollWithPolicy, type Policy } from './policies.js'
import { measureStreamOverHttp, measureStreamSimulated, POLLING_POLICY, STREAM_POLICY, type StreamTrial } from './stream.js'
import { floodSection, floodTargetRow, measureFloodedStream, spliceFloodRows } from './stream-flood.js'
import { seededRandom as seeded, VirtualClock } from '../testing/virtual-clock.js'
import { inputReader } from '../testing/inputs.js'
import { runningUntil, ScriptedApi } from '../testing/scripted-api.js'

const KEY = 'bench-key-not-a-secret'
/**
 * The processes measured here (the action, the floors, the bare script) run on Node 24, the runtime action.yml
 * declares, as the runner runs them: start-up and exit differ between Node versions (on Node 20, for example,
 * a process that used undici waits about 70 ms at exit for V8 to finish compiling undici's WebAssembly parser).
 */
const ACTION_NODE = execFileSync('bash', [join(ROOT, 'scripts', 'node24-path.sh')], { encoding: 'utf8' }).trim()
const ACTION_NODE_VERSION = execFileSync(ACTION_NODE, ['--version'], { encoding: 'utf8' }).trim()
/** What the action may add to the start-up of any @actions/core action: see "Why the 1.5 × target is the wrong yardstick". */
const OWN_STARTUP_BUDGET_MS = 25
const DEFAULT_POLICY = 'this action (default)'
const epoch = (): number => performance.timeOrigin + performance.now()

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
}
const median = (values: number[]): number => percentile(values, 50)

function log(message: string): void {
  console.error(`[bench] ${message}`)
}

// ── cold start and exit latency ───────────────────────────────────────────────────────────────────────

interface ProcessRun {
  firstRequestMs: number
  exitAfterAnswerMs: number | undefined
}

async function timeProcess(simulator: MemosSimulator, taskId: string, args: string[], env: Record<string, string>): Promise<ProcessRun> {
  simulator.addTask(taskId, { durationMs: 0 })
  const spawnedAt = epoch()
  const child = spawn(ACTION_NODE, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' })
  const exitedAt = await new Promise<number>((resolve) => child.on('exit', () => resolve(epoch())))
  const [first] = simulator.statusRequests(taskId)
  if (!first) throw new Error(`no request arrived from ${args.join(' ')}`)
  return {
    firstRequestMs: first.at - spawnedAt,
    exitAfterAnswerMs: first.answeredAt === undefined ? undefined : exitedAt - first.answeredAt
  }
}

function actionEnv(simulator: MemosSimulator, taskId: string, dir: string): Record<string, string> {
  const env: Record<string, string> = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') }
  writeFileSync(env.GITHUB_OUTPUT as string, '')
  writeFileSync(env.GITHUB_STEP_SUMMARY as string, '')
  const inputs = { ...actionDefaults(), task_id: taskId, api_key: KEY, base_url: simulator.baseUrl }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  return env
}

interface StartupResults {
  runs: number
  bare: number[]
  toolkit: number[]
  toolkitUndici: number[]
  action: number[]
  exit: number[]
}

async function measureStartup(runs: number): Promise<StartupResults> {
  const bundle = (source: string): string => {
    const dir = join(ROOT, '.build', source.replace(/^bench\/|\.ts$/g, ''))
    const build = spawnSync('npx', ['ncc', 'build', source, '-o', dir, '--minify', '--quiet'], { cwd: ROOT, stdio: 'inherit' })
    if (build.status !== 0) throw new Error(`could not bundle ${source}`)
    return join(dir, 'index.js')
  }
  const floor = bundle('bench/toolkit-floor.ts')
  const undiciFloor = bundle('bench/toolkit-undici-floor.ts')
  const simulator = new MemosSimulator({ apiKey: KEY })
  await simulator.start()
  const dir = mkdtempSync(join(tmpdir(), 'memos-bench-'))
  const results: StartupResults = { runs, bare: [], toolkit: [], toolkitUndici: [], action: [], exit: [] }
  try {
    for (let run = 0; run < runs; run++) {
      // Alternating, so drift in the machine's load affects all three alike.
      const bare = await timeProcess(simulator, `bare-${run}`, ['bench/bare-request.mjs', simulator.baseUrl, KEY, `bare-${run}`], {})
      const toolkit = await timeProcess(simulator, `floor-${run}`, [floor], actionEnv(simulator, `floor-${run}`, dir))
      const toolkitUndici = await timeProcess(simulator, `undici-${run}`, [undiciFloor], actionEnv(simulator, `undici-${run}`, dir))
      const action = await timeProcess(simulator, `action-${run}`, [DIST], actionEnv(simulator, `action-${run}`, dir))
      results.bare.push(bare.firstRequestMs)
      results.toolkit.push(toolkit.firstRequestMs)
      results.toolkitUndici.push(toolkitUndici.firstRequestMs)
      results.action.push(action.firstRequestMs)
      if (action.exitAfterAnswerMs !== undefined) results.exit.push(action.exitAfterAnswerMs)
    }
  } finally {
    await simulator.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return results
}

/**
 * Exit latency with the wait stream open: a self-hosted run of dist/index.js on a task that finishes while
 * the stream is connected; from the terminal status answer to the process exit.
 */
async function measureStreamExit(runs: number): Promise<number[]> {
  const simulator = new MemosSimulator({ api: 'self-hosted' })
  await simulator.start()
  const dir = mkdtempSync(join(tmpdir(), 'memos-bench-'))
  const exits: number[] = []
  try {
    for (let run = 0; run < runs; run++) {
      const taskId = `stream-exit-${run}`
      simulator.addTask(taskId, { durationMs: 1500 })
      const env: Record<string, string> = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') }
      writeFileSync(env.GITHUB_OUTPUT as string, '')
      writeFileSync(env.GITHUB_STEP_SUMMARY as string, '')
      const inputs = { ...actionDefaults(), task_id: taskId, api: 'self-hosted', user_id: 'ci-user', base_url: simulator.baseUrl }
      for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
      const child = spawn(ACTION_NODE, [DIST], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' })
      const exitedAt = await new Promise<number>((resolve) => child.on('exit', () => resolve(epoch())))
      const terminal = simulator.statusRequests(taskId).find((request) => request.status === 'completed')
      if (terminal?.answeredAt !== undefined && simulator.streamRequests().length > run) exits.push(exitedAt - terminal.answeredAt)
    }
  } finally {
    await simulator.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return exits
}

// ── the schedule against other policies ───────────────────────────────────────────────────────────────

interface Trial {
  policy: string
  durationMs: number
  delayMs: number
  requests: number
}

function defaultSettings(taskId: string, baseUrl: string): Settings {
  const inputs: Record<string, string> = { task_id: taskId, api_key: KEY, base_url: baseUrl, timeout: '45m' }
  return readSettings(inputReader(inputs), {})
}

const silentLog = { info: () => {}, warning: () => {}, debug: () => {} }

/** Task durations spread ±10 % around the nominal one, so fixed pollers meet tasks at every phase. */
const spread = (nominalMs: number, random: () => number): number => nominalMs * (0.9 + 0.2 * random())

/** Runs every policy for every duration at once over HTTP against the simulator, on the real clock. */
async function measureOverHttp(durationsMs: number[], trials: number): Promise<Trial[]> {
  const simulator = new MemosSimulator({ apiKey: KEY })
  await simulator.start()
  const random = seeded(2026)
  const runs: Array<Promise<Trial>> = []
  const policies: Array<Policy | undefined> = [undefined, ...COMPETITORS]
  for (const durationMs of durationsMs) {
    for (const policy of policies) {
      for (let trial = 0; trial < trials; trial++) {
        const taskId = `http-${durationMs}-${policy ? COMPETITORS.indexOf(policy) : 'd'}-${trial}`
        const actualMs = spread(durationMs, random)
        simulator.addTask(taskId, { durationMs: actualMs })
        const settings = defaultSettings(taskId, simulator.baseUrl)
        const api = connect(settings, USER_AGENT, silentLog)
        const client = api.source
        const work = policy
          ? pollWithPolicy(policy, client, systemClock, taskId, seeded(trial + 1), 45 * 60_000)
          : waitForTasks(settings, { client, gate: api.gate, log: silentLog, signal: new AbortController().signal })
        runs.push(
          work.then(() => {
            api.close()
            const requests = simulator.statusRequests(taskId)
            const terminal = requests.find((request) => request.status === 'completed')
            const completesAt = simulator.completesAt(taskId) ?? Number.NaN
            return {
              policy: policy?.name ?? DEFAULT_POLICY,
              durationMs,
              delayMs: (terminal?.answeredAt ?? Number.NaN) - completesAt,
              requests: requests.length
            }
          })
        )
      }
    }
  }
  const trialsDone = await Promise.all(runs)
  await simulator.stop()
  return trialsDone
}

/** The same comparison on simulated time: the real poller and policy code, driven by a virtual clock. */
async function measureSimulated(durationsMs: number[], trials: number, latencyMs: number): Promise<Trial[]> {
  const results: Trial[] = []
  const random = seeded(7)
  for (const durationMs of durationsMs) {
    for (const policy of [undefined, ...COMPETITORS]) {
      for (let trial = 0; trial < trials; trial++) {
        const clock = new VirtualClock()
        const completesAt = spread(durationMs, random)
        const api = new ScriptedApi(clock, runningUntil({ sim: completesAt }), { latencyMs })
        let detectedAt = Number.NaN
        const trialRandom = seeded(1000 + trial)
        const work = policy
          ? pollWithPolicy(policy, api, clock, 'sim', trialRandom, 45 * 60_000).then(() => (detectedAt = clock.now()))
          : waitForTasks(defaultSettings('sim', 'https://memos.example/v1'), {
              client: api,
              clock,
              random: trialRandom,
              log: silentLog,
              signal: new AbortController().signal
            }).then((result) => (detectedAt = result.tasks[0]?.timeline.at(-1)?.atMs ?? Number.NaN))
        await clock.run(work)
        results.push({ policy: policy?.name ?? DEFAULT_POLICY, durationMs, delayMs: detectedAt - completesAt, requests: api.sent.length })
      }
    }
  }
  return results
}

// ── a large batch ─────────────────────────────────────────────────────────────────────────────────────

interface BatchResult {
  ids: number
  cap: number
  slowestMs: number
  wallMs: number
  /** No wait can end sooner: the slowest task must finish, and every id needs a request at no more than the cap. */
  floorMs: number
  /** The slowest task, then one full round of every id at the cap: the most a wait should need. */
  budgetMs: number
  requests: number
  peakPerSecond: number
  peakRssMb: number
  conclusion: string
}

async function measureBatch(ids: number, withinMs: number): Promise<BatchResult> {
  const simulator = new MemosSimulator({ apiKey: KEY })
  await simulator.start()
  const random = seeded(500)
  const taskIds = Array.from({ length: ids }, (_, index) => `batch-${index}`)
  const dir = mkdtempSync(join(tmpdir(), 'memos-bench-'))
  const env = actionEnv(simulator, taskIds.join('\n'), dir)
  const cap = Number(env.INPUT_MAX_REQUESTS_PER_SECOND)
  let slowestMs = 0
  for (const taskId of taskIds) {
    const durationMs = random() * withinMs
    slowestMs = Math.max(slowestMs, durationMs)
    simulator.addTask(taskId, { durationMs })
  }
  const spawnedAt = epoch()
  const child = spawn(ACTION_NODE, [DIST], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' })
  let peakRssKb = 0
  const sampler = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      peakRssKb = Math.max(peakRssKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))
    } catch {
      // The process has just exited.
    }
  }, 100)
  const exitedAt = await new Promise<number>((resolve) => child.on('exit', () => resolve(epoch())))
  clearInterval(sampler)
  const conclusion = /conclusion<<(\S+)\n(.*)\n/.exec(readFileSync(env.GITHUB_OUTPUT as string, 'utf8'))?.[2] ?? '?'
  const requests = simulator.statusRequests()
  await simulator.stop()
  rmSync(dir, { recursive: true, force: true })
  return {
    ids,
    cap,
    slowestMs,
    wallMs: exitedAt - spawnedAt,
    floorMs: Math.max(slowestMs, (ids / cap) * 1000),
    budgetMs: slowestMs + (ids / cap) * 1000,
    requests: requests.length,
    peakPerSecond: peakInWindow(requests, 1000),
    peakRssMb: peakRssKb / 1024,
    conclusion
  }
}

// ── the report ────────────────────────────────────────────────────────────────────────────────────────

const seconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`)
const pass = (ok: boolean): string => (ok ? '✅' : '❌')

interface Row {
  policy: string
  durationMs: number
  simulated: boolean
  medianDelayMs: number
  p95DelayMs: number
  medianRequests: number
}

function summarise(trials: Trial[], simulated: boolean): Row[] {
  const rows: Row[] = []
  const keys = new Set(trials.map((trial) => `${trial.durationMs}|${trial.policy}`))
  for (const key of keys) {
    const [duration, policy] = key.split('|') as [string, string]
    const group = trials.filter((trial) => trial.durationMs === Number(duration) && trial.policy === policy)
    rows.push({
      policy,
      durationMs: Number(duration),
      simulated,
      medianDelayMs: median(group.map((trial) => trial.delayMs)),
      p95DelayMs: percentile(
        group.map((trial) => trial.delayMs),
        95
      ),
      medianRequests: median(group.map((trial) => trial.requests))
    })
  }
  return rows
}

interface StreamRow extends Row {
  medianStreams: number
}

function summariseStream(trials: StreamTrial[], simulatedDurations: number[]): StreamRow[] {
  return summarise(trials, false).map((row) => {
    const group = trials.filter((trial) => trial.durationMs === row.durationMs && trial.policy === row.policy)
    return { ...row, simulated: simulatedDurations.includes(row.durationMs), medianStreams: median(group.map((trial) => trial.streams)) }
  })
}

/** The rows `--only <name>` measures alone, each putting its figures into the existing report. */
const ONLY: Record<string, () => Promise<void>> = {
  'stream-flood': measureFloodAlone,
  memory: async () => {
    const runs = await measureMemoryRows(ACTION_NODE, log)
    console.log(['| Target | Measured | |', '| --- | --- | --- |', memoryTarget(runs), '', ...memorySection(runs)].join('\n'))
  }
}

async function measureFloodAlone(): Promise<void> {
  log('the wait stream flooded (three runs of about 20 s)…')
  const flood = await measureFloodedStream(ACTION_NODE)
  const report = join(ROOT, 'docs', 'benchmarks.md')
  const note =
    `These rows were measured on their own (\`npm run bench -- --only stream-flood\`) on ${new Date().toISOString().slice(0, 10)}, the process on Node ${ACTION_NODE_VERSION};` +
    ' the rest of the report comes from the run named at its top.'
  writeFileSync(report, spliceFloodRows(readFileSync(report, 'utf8'), floodSection(flood, note), floodTargetRow(flood)))
  console.log([floodTargetRow(flood), '', ...floodSection(flood)].join('\n'))
  log('wrote its rows into docs/benchmarks.md.')
}

/** `--only name` or `--only=name`; undefined for a full run. */
function onlyArgument(): string | undefined {
  const index = process.argv.findIndex((arg) => arg === '--only' || arg.startsWith('--only='))
  if (index < 0) return undefined
  const arg = process.argv[index] as string
  return arg === '--only' ? (process.argv[index + 1] ?? '') : arg.slice('--only='.length)
}

async function main(): Promise<void> {
  const started = Date.now()
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run npm run bundle first')
  const only = onlyArgument()
  if (only !== undefined) {
    const measure = ONLY[only]
    if (!measure) throw new Error(`--only takes one of: ${Object.keys(ONLY).join(', ')}; not '${only}'`)
    return measure()
  }
  const quick = process.argv.includes('--quick')
  const defaults = defaultSettings('x', 'https://memos.example/v1')

  log('cold start and exit latency…')
  const startup = await measureStartup(quick ? 4 : 20)
  log('schedules over HTTP (1 s to 30 s tasks, all policies at once)…')
  const httpDurations = quick ? [1000, 3000] : [1000, 3000, 10_000, 30_000]
  const httpTrials = await measureOverHttp(httpDurations, quick ? 4 : 20)
  log('schedules on simulated time (2 min to 30 min tasks)…')
  const simulatedLatencyMs = 100
  const simDurations = [120_000, 600_000, 1_800_000]
  const simTrials = await measureSimulated(simDurations, quick ? 20 : 200, simulatedLatencyMs)
  log('self-hosted: the wait stream against polling (3 s and 20 s over HTTP, 2 min and 10 min simulated)…')
  const streamHttpDurations = [3000, 20_000]
  const streamSimDurations = [120_000, 600_000]
  const streamTrials = [
    ...(await measureStreamOverHttp(streamHttpDurations, quick ? 4 : 20)),
    ...(await measureStreamSimulated(streamSimDurations, quick ? 20 : 200, simulatedLatencyMs))
  ]
  const streamExits = await measureStreamExit(quick ? 4 : 10)
  log('self-hosted: one request budget (40 a minute; 6 tasks 20 s apart, two minutes a run)…')
  const budgetTrials = await measureBudget(quick ? 1 : 3)
  log('the wait stream flooded…')
  const flood = await measureFloodedStream(ACTION_NODE)
  log('a batch of 500 tasks…')
  const batch = await measureBatch(quick ? 100 : 500, 30_000)
  const memory = await measureMemoryRows(ACTION_NODE, log)

  const rows = [...summarise(httpTrials, false), ...summarise(simTrials, true)]
  const durations = [...httpDurations, ...simDurations]
  const policyNames = [DEFAULT_POLICY, ...COMPETITORS.map((policy) => policy.name)]
  const row = (policy: string, durationMs: number): Row => rows.find((r) => r.policy === policy && r.durationMs === durationMs) as Row
  /** A task-duration × policy table; `simulatedMark` follows the duration of rows run on simulated time. */
  const policyTable = (separator: string, simulatedMark: string, cell: (r: Row) => string): string[] => [
    `| Task | ${policyNames.join(' | ')} |`,
    `| --- | ${policyNames.map(() => separator).join(' | ')} |`,
    ...durations.map((durationMs) => {
      const mark = row(DEFAULT_POLICY, durationMs).simulated ? simulatedMark : ''
      return `| ${formatDuration(durationMs)}${mark} | ${policyNames.map((policy) => cell(row(policy, durationMs))).join(' | ')} |`
    })
  ]

  // Targets.
  const coldRatio = median(startup.action) / median(startup.bare)
  // The floor the action's own start-up is judged against: the toolkit, with its request sent through undici
  // as the action sends it (the parser compile that undici's first request waits for is the stack's, not the action's).
  const toolkitRatio = median(startup.action) / median(startup.toolkitUndici)
  const ownStartupMs = median(startup.action) - median(startup.toolkitUndici)
  const undiciParserMs = median(startup.toolkitUndici) - median(startup.toolkit)
  const exitMedian = median(startup.exit)
  const exitMax = Math.max(...startup.exit)
  // The median within 10 % of the task (0.5 s at least), the p95 within max_interval. Once 10 % of the task reaches
  // max_interval (at 5 minutes with the defaults), the p95 bound already keeps the median under it: only that one counts.
  const delayChecks = durations.map((durationMs) => {
    const r = row(DEFAULT_POLICY, durationMs)
    const limit = Math.max(500, durationMs * 0.1)
    const medianBound = limit < defaults.maxIntervalMs
    return { durationMs, r, limit, medianBound, ok: (!medianBound || r.medianDelayMs <= limit) && r.p95DelayMs <= defaults.maxIntervalMs }
  })
  const requestShare = (durationMs: number): number =>
    row(DEFAULT_POLICY, durationMs).medianRequests / row('fixed 5 s', durationMs).medianRequests
  const share10 = requestShare(600_000)
  const share30 = requestShare(1_800_000)

  const streamRows = summariseStream(streamTrials, streamSimDurations)
  const streamRow = (policy: string, durationMs: number): StreamRow =>
    streamRows.find((r) => r.policy === policy && r.durationMs === durationMs) as StreamRow
  const streamDurations = [...streamHttpDurations, ...streamSimDurations]
  const streamDelayLimit = defaults.intervalMs + 200
  const streamExitMedian = median(streamExits)
  const streamTable = (cell: (r: StreamRow) => string): string[] => [
    `| Task | ${STREAM_POLICY} | ${POLLING_POLICY} |`,
    '| --- | ---: | ---: |',
    ...streamDurations.map((durationMs) => {
      const mark = streamRow(STREAM_POLICY, durationMs).simulated ? '*' : ''
      return `| ${formatDuration(durationMs)}${mark} | ${cell(streamRow(STREAM_POLICY, durationMs))} | ${cell(streamRow(POLLING_POLICY, durationMs))} |`
    })
  ]

  const budget = budgetReport(budgetTrials, defaults.intervalMs)

  const lines: string[] = []
  const push = (...more: string[]): number => lines.push(...more)
  push(
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: the processes on Node ${ACTION_NODE_VERSION} (the runtime action.yml declares), the in-process rows on Node ${process.version}, ${cpus().length} CPUs ` +
      `(${cpus()[0]?.model.trim() ?? 'unknown'}), against the MemOS simulator on 127.0.0.1. Every figure below comes from that run` +
      `${quick ? ' (a --quick run: fewer trials)' : ''}; the run took ${formatDuration(Date.now() - started)}.`,
    '',
    '## Targets',
    '',
    '| Target | Measured | |',
    '| --- | --- | --- |',
    `| Cold start ≤ 1.5 × a bare \`node\` script | ${coldRatio.toFixed(2)} × (${median(startup.action).toFixed(0)} ms vs ${median(startup.bare).toFixed(0)} ms) | ${pass(coldRatio <= 1.5)} see below |`,
    `| The action's own start-up ≤ ${OWN_STARTUP_BUDGET_MS} ms over a bare @actions/core action sending its request through undici (the target this report proposes) | ${ownStartupMs >= 0 ? '+' : '−'}${Math.abs(ownStartupMs).toFixed(0)} ms (${median(startup.action).toFixed(0)} ms vs ${median(startup.toolkitUndici).toFixed(0)} ms, ${toolkitRatio.toFixed(2)} ×)${ownStartupMs < 0 ? ', within the spread: too small to measure' : ''} | ${pass(ownStartupMs <= OWN_STARTUP_BUDGET_MS)} |`,
    `| Exit ≤ 50 ms after the terminal answer (median; a lingering timer or socket would hold every run for seconds) | median ${exitMedian.toFixed(0)} ms, worst ${exitMax.toFixed(0)} ms | ${pass(exitMedian <= 50)} |`,
    ...delayChecks.map(({ durationMs, r, limit, medianBound, ok }) => {
      const p95Bound = `p95 ≤ ${seconds(defaults.maxIntervalMs)} (\`max_interval\`)`
      const target = medianBound
        ? `median delay ≤ ${seconds(limit)} (${limit > durationMs * 0.1 ? '10 % of the task, but 0.50 s at least' : '10 % of the task'}), ${p95Bound}`
        : `${p95Bound}, which also keeps the median under 10 % of the task (${seconds(limit)})`
      return `| ${formatDuration(durationMs)} task: ${target} | median ${seconds(r.medianDelayMs)}, p95 ${seconds(r.p95DelayMs)}${r.simulated ? ' (simulated)' : ''} | ${pass(ok)} |`
    }),
    `| 10 min task: ≤ 50 % of a fixed 5 s poller's requests | ${(share10 * 100).toFixed(0)} % (${row(DEFAULT_POLICY, 600_000).medianRequests} vs ${row('fixed 5 s', 600_000).medianRequests}) | ${pass(share10 <= 0.5)} |`,
    `| 30 min task: ≤ 30 % of a fixed 5 s poller's requests | ${(share30 * 100).toFixed(0)} % (${row(DEFAULT_POLICY, 1_800_000).medianRequests} vs ${row('fixed 5 s', 1_800_000).medianRequests}) | ${pass(share30 <= 0.3)} |`,
    ...streamDurations.map((durationMs) => {
      const r = streamRow(STREAM_POLICY, durationMs)
      const ok = r.medianDelayMs <= streamDelayLimit && r.medianRequests <= 3
      return `| Self-hosted ${formatDuration(durationMs)} task with the wait stream: median delay ≤ interval + 200 ms (${seconds(streamDelayLimit)}), ≤ 3 status requests | median ${seconds(r.medianDelayMs)}, ${r.medianRequests} requests + ${r.medianStreams} stream${r.simulated ? ' (simulated)' : ''} | ${pass(ok)} |`
    }),
    `| Exit with the wait stream open ≤ 50 ms after the terminal answer (median) | median ${streamExitMedian.toFixed(0)} ms, worst ${Math.max(...streamExits).toFixed(0)} ms | ${pass(streamExitMedian <= 50)} |`,
    ...budget.targets,
    `| Batch of ${batch.ids}: wall time ≤ the slowest task plus one full round of every id at the cap, + 2 s | ${seconds(batch.wallMs)} vs ${seconds(batch.budgetMs)} (no wait can take less than ${seconds(batch.floorMs)}) | ${pass(batch.wallMs <= batch.budgetMs + 2000)} |`,
    `| Batch: peak requests in any second ≤ ${batch.cap} | ${batch.peakPerSecond} | ${pass(batch.peakPerSecond <= batch.cap)} |`,
    `| Batch: peak RSS ≤ 150 MB | ${batch.peakRssMb.toFixed(0)} MB | ${pass(batch.peakRssMb <= 150)} |`,
    floodTargetRow(flood),
    memoryTarget(memory),
    ''
  )

  push(
    '## Detection delay and requests, side by side',
    '',
    'Detection delay: from the moment the task reached `completed` to the answer that said so. Requests: status requests for the whole wait.',
    `Each cell is the median delay / p95 delay / median requests over ${quick ? 4 : 20} runs (over HTTP) or ${quick ? 20 : 200} runs (simulated).`,
    "Task durations are spread ±10 % around the nominal one, so a fixed poller's phase against the task varies from run to run as it would in practice.",
    `Rows marked *simulated* run the real poller and policy code on a virtual clock, with a ${simulatedLatencyMs} ms round trip per request; the others ran over HTTP in real time.`,
    '',
    `![Detection delay against requests](benchmarks.svg)`,
    '',
    ...policyTable('---', ' *simulated*', (r) => `${seconds(r.medianDelayMs)} / ${seconds(r.p95DelayMs)} / ${r.medianRequests}`),
    ''
  )

  push(
    '## Self-hosted: the wait stream against polling',
    '',
    "Against the open-source server, the action also listens to the server's wait stream, which reports every `interval` how many of",
    "the user's tasks are active: a drop, or `idle`, makes the step poll at once. Each cell is the median delay / p95 delay / median status",
    `requests (and stream connections). Rows marked * run on simulated time (${simulatedLatencyMs} ms round trip, a frame every interval); the others`,
    'ran over HTTP against the simulator, each trial as its own MemOS user.',
    '',
    ...streamTable(
      (r) =>
        `${seconds(r.medianDelayMs)} / ${seconds(r.p95DelayMs)} / ${r.medianRequests} req${r.medianStreams ? ` + ${r.medianStreams} stream` : ''}`
    ),
    '',
    `Exit latency with the stream open, from the terminal answer to the process exit (${streamExits.length} runs): median ${streamExitMedian.toFixed(0)} ms, worst ${Math.max(...streamExits).toFixed(0)} ms.`,
    '',
    `While the stream is healthy a running task is also polled every ${formatDuration(defaults.maxIntervalMs * HINTED_WAIT_FACTOR)} (${HINTED_WAIT_FACTOR} × \`max_interval\`), for the one case the count`,
    'cannot show: a task of the same user starting in the same interval as one finishes.',
    ''
  )

  push(...budget.section)

  push(...floodSection(flood))

  push(
    '## Cold start and exit',
    '',
    `${startup.runs} alternating runs each. Cold start is the time from spawning the process to its first request reaching the simulator.`,
    '',
    '| Process | Median | Fastest | Slowest |',
    '| --- | ---: | ---: | ---: |',
    ...(
      [
        ['bare `node` script, no libraries (bench/bare-request.mjs)', startup.bare],
        ['@actions/core alone, bundled the same way, request with node:http (bench/toolkit-floor.ts)', startup.toolkit],
        ['@actions/core alone, request through undici (bench/toolkit-undici-floor.ts)', startup.toolkitUndici],
        ['this action (dist/index.js)', startup.action]
      ] as Array<[string, number[]]>
    ).map(
      ([name, values]) =>
        `| ${name} | ${median(values).toFixed(0)} ms | ${Math.min(...values).toFixed(0)} ms | ${Math.max(...values).toFixed(0)} ms |`
    ),
    '',
    `Exit latency, from the simulator sending the terminal answer to the process exiting: median ${exitMedian.toFixed(0)} ms, worst ${exitMax.toFixed(0)} ms.`,
    '',
    '**Why the 1.5 × target is the wrong yardstick.** The action must use `@actions/core` (and `@actions/http-client`), and `@actions/core` 3',
    'imports `@actions/http-client`, which imports `undici` at load time: about a megabyte of JavaScript that every action built on the',
    `toolkit parses before its first line runs. The second row measures that floor in this run: ${median(startup.toolkit).toFixed(0)} ms against ${median(startup.bare).toFixed(0)} ms for a bare script,`,
    `${(median(startup.toolkit) / median(startup.bare)).toFixed(2)} × before this action's own code does anything. What the action controls is what it adds on top: its own modules, reading the inputs`,
    `and building the request. The bundle is minified, which cut the toolkit's load time by about a third when it was introduced.`,
    '',
    `**Why the floor sends through undici.** The action sends its requests through undici (directly, and through a proxy with the`,
    'dispatcher @actions/http-client hands out), so that a proxied tunnel is kept alive across polls and network failures carry clean codes.',
    `undici's first request waits for its HTTP parser, a WebAssembly module, to compile: the third row against the second puts that at`,
    `${undiciParserMs.toFixed(0)} ms in this run, paid once per process by anything that sends through undici, Node's own \`fetch\` included. The action's own share is`,
    `measured against that third row: ${ownStartupMs.toFixed(0)} ms here${ownStartupMs < 0 ? ". Less than nothing is the run-to-run spread: the action cannot start before the toolkit it is built on, so all this run can say is that the action's own share is too small to measure" : ''}.`,
    '',
    `A fair target is therefore about what the action adds: **at most ${OWN_STARTUP_BUDGET_MS} ms over a bare @actions/core action on the same HTTP stack**, an absolute budget because`,
    'the ratio moves with the machine, and the run-to-run spread on a shared 2-core machine (fastest against slowest above) is larger than',
    `the action's own share. In absolute terms the difference to a bare script is ${(median(startup.action) - median(startup.bare)).toFixed(0)} ms, once per step, against waits of seconds to minutes.`,
    ''
  )

  push(
    `## A batch of ${batch.ids} tasks`,
    '',
    `${batch.ids} task ids finishing at random times within 30 s (the slowest after ${seconds(batch.slowestMs)}), waited for by one run of dist/index.js with the default settings`,
    `(rate cap ${batch.cap} requests per second).`,
    '',
    '| Measure | Value |',
    '| --- | --- |',
    `| Wall time, spawn to exit | ${seconds(batch.wallMs)} |`,
    `| Floor: the slowest task, or one request per id at the cap if that takes longer | ${seconds(batch.floorMs)} |`,
    `| Budget: the slowest task, then one full round of every id at the cap | ${seconds(batch.budgetMs)} |`,
    `| Status requests | ${batch.requests} (${(batch.requests / batch.ids).toFixed(1)} per task) |`,
    `| Peak requests in any one-second window (simulator timestamps) | ${batch.peakPerSecond} |`,
    `| Peak RSS of the action process | ${batch.peakRssMb.toFixed(0)} MB |`,
    `| Conclusion | ${batch.conclusion} |`,
    '',
    'No wait can beat the floor. The budget assumes one full polling round after the slowest task finishes; the wait beats it',
    'because the tasks that finished early drop out of the rounds.',
    ''
  )

  push(...memorySection(memory))

  push(
    '## How the default schedule was chosen',
    '',
    'The reasoning sits next to the constants in `src/wait/schedule.ts`. In short: each wait is 13 % of the time already waited, with ±10 % jitter,',
    `between \`interval\` (${formatDuration(defaults.intervalMs)}) and \`max_interval\` (${formatDuration(defaults.maxIntervalMs)}). A fixed poller is the best possible`,
    'schedule at exactly one duration (short interval: fast and expensive; long interval: cheap and slow). Growing the wait with the time',
    'already waited keeps the delay a steady fraction of the task duration, whatever that turns out to be, while the request count grows',
    'only with the logarithm of the duration until `max_interval`, then linearly at its slowest rate.',
    ''
  )

  const docs = join(ROOT, 'docs')
  mkdirSync(docs, { recursive: true })
  writeFileSync(join(docs, 'benchmarks.md'), lines.join('\n'))
  writeFileSync(join(docs, 'benchmarks.svg'), renderChart(rows, policyNames, durations))

  const readmeTable = [
    'Median detection delay and median number of status requests, for tasks of each duration (`npm run bench`; rows marked * use a',
    'simulated clock). At any one duration, a fixed interval chosen for it can match or beat any schedule; what the default gives is',
    "a delay that stays a small fraction of the task's duration, whatever that turns out to be, at a request count that grows slowly.",
    '',
    ...policyTable('---:', '*', (r) => `${seconds(r.medianDelayMs)} · ${r.medianRequests} req`),
    '',
    `Cold start ${median(startup.action).toFixed(0)} ms to the first request (a bare @actions/core action on the same HTTP stack: ${median(startup.toolkitUndici).toFixed(0)} ms), exit ${exitMedian.toFixed(0)} ms after the`,
    `final answer, and ${batch.ids} tasks in ${seconds(batch.wallMs)} (the slowest finished after ${seconds(batch.slowestMs)}) at ≤ ${batch.peakPerSecond} requests per second and ${batch.peakRssMb.toFixed(0)} MB.`,
    'The full report, with p95s and the reasoning behind the targets: [docs/benchmarks.md](docs/benchmarks.md).',
    '',
    '![Detection delay against requests, per policy](docs/benchmarks.svg)',
    '',
    'Against a self-hosted server, the wait stream (`stream: true`, the default there) sees a task finish within one interval, whatever',
    'its duration, for a few requests:',
    '',
    ...streamTable((r) => `${seconds(r.medianDelayMs)} · ${r.medianRequests} req`)
  ]
  writeFileSync(join(docs, 'benchmark-table.md'), `${readmeTable.join('\n')}\n`)
  console.log(lines.join('\n'))
  log('wrote docs/benchmarks.md, docs/benchmark-table.md and docs/benchmarks.svg; run `npm run docs` to update the README.')
}

await main()
