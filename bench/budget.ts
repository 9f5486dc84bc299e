/**
 * The request budget rows of the benchmark, over HTTP in real time against the simulator running the
 * open-source server's rate limiter (a sliding window over every request, wait-stream opens included):
 * - five tasks of one user finishing at 3 s behind a limit of 40 requests a minute, with the stream and without;
 * - six tasks of one user ending 20 s apart, with the stream: in input order (a first-in, first-out scheduler)
 *   and, as the worst case for hint rounds, in reverse order.
 * Every run has its own simulator, so runs side by side do not share a window.
 */
import { connect } from '../src/memos/connect.js'
import { readSettings } from '../src/settings/read-settings.js'
import { USER_AGENT } from '../src/shared/version.js'
import { waitForTasks } from '../src/wait/poller.js'
import { DEFAULT_USER_ID, MemosSimulator, type SimulatorOptions } from '../simulator/memos-simulator.js'

export interface BudgetTrial {
  scenario: string
  tasks: number
  /** Requests of every kind the server saw, stream opens included. */
  requests: number
  streams: number
  refused: number
  succeeded: boolean
  /** From each task's end to the answer that said so. */
  delaysMs: number[]
}

const silentLog = { info: () => {}, warning: () => {}, debug: () => {} }

async function trial(
  scenario: string,
  simulatorOptions: SimulatorOptions,
  durationsMs: number[],
  inputs: Record<string, string>
): Promise<BudgetTrial> {
  const simulator = new MemosSimulator({ api: 'self-hosted', ...simulatorOptions })
  await simulator.start()
  const ids = durationsMs.map((_, index) => `budget-${index}`)
  durationsMs.forEach((durationMs, index) => simulator.addTask(ids[index] as string, { durationMs, userId: DEFAULT_USER_ID }))
  const all: Record<string, string> = {
    task_id: ids.join(','),
    api: 'self-hosted',
    user_id: DEFAULT_USER_ID,
    base_url: simulator.baseUrl,
    ...inputs
  }
  const settings = readSettings((name) => all[name] ?? '', {})
  const api = connect(settings, USER_AGENT, silentLog)
  try {
    const result = await waitForTasks(settings, {
      client: api.source,
      gate: api.gate,
      hints: api.hints,
      log: silentLog,
      signal: new AbortController().signal
    })
    return {
      scenario,
      tasks: ids.length,
      requests: simulator.requests.length,
      streams: simulator.streamRequests().length,
      refused: simulator.requests.filter((request) => request.httpStatus === 429).length,
      succeeded: result.tasks.every((task) => task.conclusion === 'success'),
      delaysMs: ids.map((id) => {
        const seen = simulator.statusRequests(id).find((request) => request.status === 'completed')
        return (seen?.answeredAt ?? Number.NaN) - (simulator.completesAt(id) ?? Number.NaN)
      })
    }
  } finally {
    api.close()
    await simulator.stop()
  }
}

export const LIMITED_STREAM = '40 a minute, wait stream'
export const LIMITED_POLLING = '40 a minute, polling (stream: false)'
export const APART_IN_ORDER = '6 tasks ending 20 s apart, in input order'
export const APART_REVERSED = '6 tasks ending 20 s apart, in reverse order'

/** The inputs of the limited case, as the field report gave them. */
export const LIMITED_INPUTS = { interval: '100ms', max_interval: '400ms', timeout: '40s' }

export async function measureBudget(trials: number): Promise<BudgetTrial[]> {
  const limiter: SimulatorOptions = { windowLimit: { limit: 40, windowMs: 60_000 } }
  const five = [3000, 3000, 3000, 3000, 3000]
  const apart = [20_000, 40_000, 60_000, 80_000, 100_000, 120_000]
  const runs: Array<Promise<BudgetTrial>> = []
  for (let n = 0; n < trials; n++) {
    runs.push(trial(LIMITED_STREAM, limiter, five, { ...LIMITED_INPUTS, stream: 'true' }))
    runs.push(trial(LIMITED_POLLING, limiter, five, { ...LIMITED_INPUTS, stream: 'false' }))
  }
  // The 20 s spacing takes two minutes a run: these run side by side, once each (twice unless --quick).
  for (let n = 0; n < Math.min(trials, 2); n++) {
    runs.push(trial(APART_IN_ORDER, {}, apart, { timeout: '5m' }))
    runs.push(trial(APART_REVERSED, {}, [...apart].reverse(), { timeout: '5m' }))
  }
  return Promise.all(runs)
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)] ?? Number.NaN
}
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`
const pass = (ok: boolean): string => (ok ? '✅' : '❌')

interface BudgetRow {
  scenario: string
  runs: number
  requestsPerTask: number
  streams: number
  refused: number
  succeeded: boolean
  medianDelayMs: number
  worstDelayMs: number
}

function rowsOf(trials: BudgetTrial[]): BudgetRow[] {
  return [LIMITED_STREAM, LIMITED_POLLING, APART_IN_ORDER, APART_REVERSED].map((scenario) => {
    const group = trials.filter((trial) => trial.scenario === scenario)
    const delays = group.flatMap((trial) => trial.delaysMs)
    return {
      scenario,
      runs: group.length,
      requestsPerTask: median(group.map((trial) => trial.requests / trial.tasks)),
      streams: median(group.map((trial) => trial.streams)),
      refused: group.reduce((sum, trial) => sum + trial.refused, 0),
      succeeded: group.every((trial) => trial.succeeded),
      medianDelayMs: median(delays),
      worstDelayMs: Math.max(...delays)
    }
  })
}

/** The target rows and the section of the report. `delayLimitMs`: interval + 200 ms, per scenario. */
export function budgetReport(trials: BudgetTrial[], defaultIntervalMs: number): { targets: string[]; section: string[] } {
  const rows = rowsOf(trials)
  const row = (scenario: string): BudgetRow => rows.find((r) => r.scenario === scenario) as BudgetRow
  const limitedDelayLimit = 100 + 200
  const apartDelayLimit = defaultIntervalMs + 200
  const stream = row(LIMITED_STREAM)
  const polling = row(LIMITED_POLLING)
  const inOrder = row(APART_IN_ORDER)
  const measured = (r: BudgetRow): string =>
    `${r.requestsPerTask.toFixed(1)} requests a task (${r.streams} stream ${r.streams === 1 ? 'open' : 'opens'}), ${r.refused} refused, median delay ${seconds(r.medianDelayMs)}`
  const targets = [
    `| 40 requests a minute, 5 tasks done at 3 s, wait stream: 0 answers over the budget, ≤ 3 requests of any kind a task, median delay ≤ interval + 200 ms (${seconds(limitedDelayLimit)}) | ${measured(stream)} | ${pass(stream.succeeded && stream.refused === 0 && stream.requestsPerTask <= 3 && stream.medianDelayMs <= limitedDelayLimit)} |`,
    `| 40 requests a minute, polling only: 0 answers over the budget (the budget allows no delay of interval + 200 ms: one request every 1.2 s for five tasks) | ${measured(polling)} | ${pass(polling.succeeded && polling.refused === 0)} |`,
    `| 6 tasks ending 20 s apart in input order, wait stream: ≤ 3 requests of any kind a task, median delay ≤ interval + 200 ms (${seconds(apartDelayLimit)}) | ${measured(inOrder)} | ${pass(inOrder.succeeded && inOrder.refused === 0 && inOrder.requestsPerTask <= 3 && inOrder.medianDelayMs <= apartDelayLimit)} |`
  ]
  const section = [
    '## Self-hosted: one request budget',
    '',
    "Against the open-source server's rate limiter, which counts every request (a stream open like a status poll) in a sliding",
    'window. Requests are of every kind the server saw, stream opens included; a 429 is an answer over the budget. The 40-a-minute',
    `case uses \`interval: 100ms\`, \`max_interval: 400ms\`, \`timeout: 40s\`; the 20-s-apart case the defaults. Delays are over every task of every run.`,
    '',
    '| Case | runs | requests a task | stream opens | 429s | median delay | worst delay |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.runs} | ${r.requestsPerTask.toFixed(1)} | ${r.streams} | ${r.refused} | ${seconds(r.medianDelayMs)} | ${seconds(r.worstDelayMs)} |`
    ),
    '',
    'A drop of one in the active count starts a round that asks the unfinished tasks one at a time, in input order, until one is seen',
    'finished: with tasks that finish in the order they were given (a first-in, first-out scheduler) that is one request a drop. In',
    'reverse order every round asks every unfinished task, as all rounds did before: the count cannot say which task finished.',
    ''
  ]
  return { targets, section }
}
