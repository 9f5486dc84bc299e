/**
 * The self-hosted rows of the benchmark: the server's wait stream against plain polling. Short tasks run
 * over HTTP against the simulator's own stream; long ones on simulated time, with a stream that behaves as
 * the contract describes (testing/scripted-api.ts: a frame on connecting and then every `poll_interval`, `idle`
 * once no task of the user is active).
 */
import { connect } from '../src/memos/connect.js'
import { readSettings } from '../src/settings/read-settings.js'
import type { Settings } from '../src/settings/settings.js'
import { waitForTasks } from '../src/wait/poller.js'
import { USER_AGENT } from '../src/shared/version.js'
import { MemosSimulator } from '../simulator/memos-simulator.js'
import { inputReader } from '../testing/inputs.js'
import { runningUntil, ScriptedApi, ScriptedHints } from '../testing/scripted-api.js'
import { seededRandom as seeded, VirtualClock } from '../testing/virtual-clock.js'

export const STREAM_POLICY = 'self-hosted, wait stream'
export const POLLING_POLICY = 'self-hosted, polling (stream: false)'

export interface StreamTrial {
  policy: string
  durationMs: number
  delayMs: number
  requests: number
  streams: number
}

const silentLog = { info: () => {}, warning: () => {}, debug: () => {} }

function selfHostedSettings(taskId: string, baseUrl: string, stream: boolean): Settings {
  const inputs: Record<string, string> = {
    task_id: taskId,
    api: 'self-hosted',
    user_id: `user-${taskId}`,
    base_url: baseUrl,
    timeout: '45m',
    stream: String(stream)
  }
  return readSettings(inputReader(inputs), {})
}

const spread = (nominalMs: number, random: () => number): number => nominalMs * (0.9 + 0.2 * random())

/** Over HTTP in real time: every trial is its own user, so one trial's task does not wake another's wait. */
export async function measureStreamOverHttp(durationsMs: number[], trials: number): Promise<StreamTrial[]> {
  const simulator = new MemosSimulator({ api: 'self-hosted' })
  await simulator.start()
  const random = seeded(99)
  const runs: Array<Promise<StreamTrial>> = []
  for (const durationMs of durationsMs) {
    for (const stream of [true, false]) {
      for (let trial = 0; trial < trials; trial++) {
        const taskId = `sh-${durationMs}-${stream ? 's' : 'p'}-${trial}`
        const settings = selfHostedSettings(taskId, simulator.baseUrl, stream)
        simulator.addTask(taskId, { durationMs: spread(durationMs, random), userId: settings.userId })
        const api = connect(settings, USER_AGENT, silentLog)
        runs.push(
          waitForTasks(settings, {
            client: api.source,
            gate: api.gate,
            hints: api.hints,
            log: silentLog,
            signal: new AbortController().signal
          }).then(() => {
            api.close()
            const requests = simulator.statusRequests(taskId)
            const seen = requests.find((request) => request.status === 'completed')
            return {
              policy: stream ? STREAM_POLICY : POLLING_POLICY,
              durationMs,
              delayMs: (seen?.answeredAt ?? Number.NaN) - (simulator.completesAt(taskId) ?? Number.NaN),
              requests: requests.length,
              streams: simulator
                .streamRequests()
                .filter((request) => new URLSearchParams(request.query).get('user_name') === settings.userId).length
            }
          })
        )
      }
    }
  }
  const done = await Promise.all(runs)
  await simulator.stop()
  return done
}

export function measureStreamSimulated(durationsMs: number[], trials: number, latencyMs: number): Promise<StreamTrial[]> {
  return (async () => {
    const results: StreamTrial[] = []
    const random = seeded(77)
    for (const durationMs of durationsMs) {
      for (const stream of [true, false]) {
        for (let trial = 0; trial < trials; trial++) {
          const clock = new VirtualClock()
          const completesAt = spread(durationMs, random)
          const api = new ScriptedApi(clock, runningUntil({ sim: completesAt }, { running: 'in_progress' }), { latencyMs })
          // The wait stream as the contract describes it: frames until the user's one task has ended.
          const activeTasks = (atMs: number): number => (atMs < completesAt ? 1 : 0)
          const hints = stream ? new ScriptedHints(clock, { stream: { latencyMs, activeTasks } }) : undefined
          const settings = selfHostedSettings('sim', 'http://memos:8000/product', stream)
          const result = await clock.run(
            waitForTasks(settings, {
              client: api,
              hints,
              clock,
              random: seeded(2000 + trial),
              log: silentLog,
              signal: new AbortController().signal
            })
          )
          const detectedAt = result.tasks[0]?.timeline.at(-1)?.atMs ?? Number.NaN
          results.push({
            policy: stream ? STREAM_POLICY : POLLING_POLICY,
            durationMs,
            delayMs: detectedAt - completesAt,
            requests: api.sent.length,
            streams: hints?.connections ?? 0
          })
        }
      }
    }
    return results
  })()
}
