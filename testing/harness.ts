import { connect } from '../src/memos/connect.js'
import type { ApiMode, BaseUrlSource } from '../src/settings/settings.js'
import type { Log } from '../src/shared/log.js'
import { type PollSettings, waitForTasks } from '../src/wait/poller.js'
import type { AnswerData, DataKeeper, WaitResult } from '../src/wait/results.js'
import { USER_AGENT } from '../src/shared/version.js'
import { DEFAULT_USER_ID, MemosSimulator, type SimulatorOptions } from '../simulator/memos-simulator.js'

/** The user the self-hosted behaviour tests add their tasks for. */
export const TEST_USER = DEFAULT_USER_ID

export interface LogLine {
  level: 'info' | 'warning' | 'debug'
  message: string
}

export interface RecordingLog extends Log {
  lines: LogLine[]
  messages(level: LogLine['level']): string[]
}

export function recordingLog(): RecordingLog {
  const lines: LogLine[] = []
  return {
    lines,
    info: (message) => lines.push({ level: 'info', message }),
    warning: (message) => lines.push({ level: 'warning', message }),
    debug: (message) => lines.push({ level: 'debug', message }),
    messages: (level) => lines.filter((line) => line.level === level).map((line) => line.message)
  }
}

/** Settings scaled down so behaviour tests finish in a second or two; the shape of the schedule is the real one. */
export function fastSettings(overrides: Partial<PollSettings> = {}): PollSettings {
  return {
    taskIds: ['task-1'],
    timeoutMs: 10_000,
    intervalMs: 50,
    maxIntervalMs: 200,
    requestTimeoutMs: 2000,
    notFoundGraceMs: 500,
    successStatuses: new Set(['completed']),
    failureStatuses: new Set(['failed', 'fail', 'error', 'cancelled', 'canceled']),
    maxRequestsPerSecond: 50,
    failFast: true,
    ...overrides
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<MemosSimulator> {
  const simulator = new MemosSimulator(options)
  await simulator.start()
  return simulator
}

export interface WaitRun<Data = AnswerData> {
  result: WaitResult<Data>
  log: RecordingLog
  elapsedMs: number
}

interface WaitOptions {
  apiKey?: string
  signal?: AbortSignal
  baseUrl?: string
  /** Who chose `baseUrl`, as readSettings records it; the `base_url` input unless a test says otherwise. */
  baseUrlSource?: BaseUrlSource
  api?: ApiMode
  userId?: string
  stream?: boolean
}

/** Runs the real poller with the real HTTP client against the simulator; with `keep`, what it keeps of each answer. */
export async function waitAgainst(simulator: MemosSimulator, settings: Partial<PollSettings>, options?: WaitOptions): Promise<WaitRun>
export async function waitAgainst<Data>(
  simulator: MemosSimulator,
  settings: Partial<PollSettings>,
  options: WaitOptions & { keep: DataKeeper<Data> }
): Promise<WaitRun<Data>>
export async function waitAgainst<Data>(
  simulator: MemosSimulator,
  settings: Partial<PollSettings>,
  options: WaitOptions & { keep?: DataKeeper<Data> } = {}
): Promise<WaitRun<Data> | WaitRun> {
  const api = options.api ?? simulator.api
  const log = recordingLog()
  const connection = connect(
    {
      api,
      baseUrl: options.baseUrl ?? simulator.baseUrl,
      baseUrlSource: options.baseUrlSource,
      apiKey: options.apiKey ?? (api === 'cloud' ? simulator.apiKey : ''),
      userId: options.userId ?? TEST_USER,
      // Off unless a test asks for it, so the polling tests measure the schedule alone.
      stream: options.stream ?? false,
      maxRequestsPerSecond: fastSettings(settings).maxRequestsPerSecond
    },
    USER_AGENT,
    log
  )
  const started = performance.now()
  try {
    const deps = {
      client: connection.source,
      gate: connection.gate,
      hints: connection.hints,
      log,
      signal: options.signal ?? new AbortController().signal
    }
    const timed = async <Kept>(wait: Promise<WaitResult<Kept>>): Promise<WaitRun<Kept>> => ({
      result: await wait,
      log,
      elapsedMs: performance.now() - started
    })
    const { keep } = options
    return keep
      ? await timed(waitForTasks(fastSettings(settings), { ...deps, keep }))
      : await timed(waitForTasks(fastSettings(settings), deps))
  } finally {
    connection.close()
  }
}
