import { parseDuration } from '../shared/duration.js'
import type { Log } from '../shared/log.js'
import { inputQuote } from '../shared/text.js'
import { readServer } from './server.js'
import { INPUT_DEFAULTS, type InputReader, type Settings } from './settings.js'
import { readTaskIds } from './task-ids.js'

/** MemOS asks for at most 50 requests per second per account; more than this is surely a typo. */
const MAX_RATE_CAP = 1000
const MIN_INTERVAL_MS = 100
const MAX_TIMEOUT_MS = 24 * 3_600_000

/**
 * A bad input. The message names every bad input and quotes its value (the key excepted). `taskIds`
 * holds the ids when they were read without a problem, so that the outputs can still list them.
 */
export class InputError extends Error {
  /** What the error says first: the one problem, or the words before the list of several. */
  readonly lead: string
  /** The problems as a list, when there are several. */
  readonly items: string[]

  constructor(
    readonly problems: string[],
    readonly taskIds: string[]
  ) {
    const lead = problems.length === 1 ? String(problems[0]) : 'Invalid inputs:'
    const items = problems.length === 1 ? [] : problems
    super(items.length === 0 ? lead : `${lead}\n- ${items.join('\n- ')}`)
    this.name = 'InputError'
    this.lead = lead
    this.items = items
  }
}

/** Settings warnings: inputs that are valid but do nothing, or less than they seem to. */
export type WarningSink = Log['warning']

/**
 * Reads and validates every input at once, so a user sees all mistakes in one run, before any request.
 */
export function readSettings(read: InputReader, env: NodeJS.ProcessEnv = process.env, warn: WarningSink = () => {}): Settings {
  const problems: string[] = []
  const input = (name: keyof typeof INPUT_DEFAULTS): string => read(name).trim() || INPUT_DEFAULTS[name]

  const taskIds = readTaskIds(read, env, problems)
  // Read first: with no problem so far, the ids are sound even when a later input is not.
  const taskIdsReadable = problems.length === 0
  const server = readServer(read, env, problems, warn)

  /** The durations with a problem of their own, which are then not compared with the others. */
  const badDurations = new Set<string>()
  const duration = (name: keyof typeof INPUT_DEFAULTS, min: number): number => {
    const raw = input(name)
    const ms = parseDuration(raw)
    if (ms === undefined) {
      badDurations.add(name)
      problems.push(
        `Input '${name}' has an invalid duration '${inputQuote(raw)}'. Use seconds (600) or a duration such as 250ms, 90s, 5m or 1h30m.`
      )
      return 0
    }
    if (ms < min || ms > MAX_TIMEOUT_MS) {
      badDurations.add(name)
      problems.push(`Input '${name}' is '${inputQuote(raw)}', which is out of range: it must be between ${min}ms and 24h.`)
    }
    return ms
  }
  const timeoutMs = duration('timeout', 0)
  const intervalMs = duration('interval', MIN_INTERVAL_MS)
  const maxIntervalMs = duration('max_interval', MIN_INTERVAL_MS)
  const requestTimeoutMs = duration('request_timeout', MIN_INTERVAL_MS)
  const notFoundGraceMs = duration('not_found_grace', 0)
  const sound = (...names: string[]): boolean => names.every((name) => !badDurations.has(name))
  if (sound('interval', 'max_interval') && intervalMs > maxIntervalMs) problems.push(intervalProblem(read))

  const successStatuses = parseStatuses('success_statuses', input('success_statuses'), problems)
  const failureStatuses = parseStatuses('failure_statuses', input('failure_statuses'), problems)
  const overlap = [...successStatuses].filter((status) => failureStatuses.has(status))
  if (overlap.length > 0) {
    problems.push(`Inputs 'success_statuses' and 'failure_statuses' both list '${overlap.join(',')}'.`)
  }

  const boolean = (name: keyof typeof INPUT_DEFAULTS): boolean => {
    const raw = input(name)
    const value = /^(true|True|TRUE)$/.test(raw)
    if (!value && !/^(false|False|FALSE)$/.test(raw))
      problems.push(`Input '${name}' is '${inputQuote(raw)}', but it must be 'true' or 'false'.`)
    return value
  }
  const failOnFailure = boolean('fail_on_failure')
  const failOnTimeout = boolean('fail_on_timeout')
  const failFast = boolean('fail_fast')
  const stream = boolean('stream')

  // A bad timeout is 0 (invalid) or over 24h (out of range): never shorter than a sound interval.
  if (sound('interval') && timeoutMs > 0 && intervalMs > timeoutMs) {
    warn(intervalOverTimeoutWarning(input('interval'), input('timeout'), server?.api === 'self-hosted' && stream))
  }

  const rawRate = input('max_requests_per_second')
  const maxRequestsPerSecond = Number(rawRate)
  if (!/^\d+$/.test(rawRate) || maxRequestsPerSecond < 1 || maxRequestsPerSecond > MAX_RATE_CAP) {
    problems.push(`Input 'max_requests_per_second' is '${inputQuote(rawRate)}', but it must be a whole number from 1 to ${MAX_RATE_CAP}.`)
  }

  // A bad `api` is among the problems: readServer gives no settings then.
  // Stryker disable next-line ConditionalExpression: `server === undefined` only tells the type checker what `problems` already say.
  if (problems.length > 0 || server === undefined) throw new InputError(problems, taskIdsReadable ? taskIds : [])
  return {
    taskIds,
    ...server,
    timeoutMs,
    intervalMs,
    maxIntervalMs,
    requestTimeoutMs,
    notFoundGraceMs,
    successStatuses,
    failureStatuses,
    failOnFailure,
    failOnTimeout,
    maxRequestsPerSecond,
    failFast,
    stream
  }
}

/** `interval` longer than `max_interval`, blaming the one the user set, or both when both were set. */
function intervalProblem(read: InputReader): string {
  const interval = inputQuote(read('interval').trim())
  const maxInterval = inputQuote(read('max_interval').trim())
  if (maxInterval === '') {
    return `Input 'interval' is '${interval}', longer than 'max_interval' (${INPUT_DEFAULTS.max_interval} by default): shorten 'interval', or raise 'max_interval' as well.`
  }
  if (interval === '') {
    return `Input 'max_interval' is '${maxInterval}', shorter than 'interval' (${INPUT_DEFAULTS.interval} by default): raise 'max_interval', or lower 'interval' as well.`
  }
  return `Inputs 'interval' ('${interval}') and 'max_interval' ('${maxInterval}') disagree: the wait between checks grows from 'interval' up to 'max_interval', so 'interval' must not be longer.`
}

/** What the schedule does when `interval` is longer than `timeout` (schedule.ts: a wait is cut to the final check). */
function intervalOverTimeoutWarning(interval: string, timeout: string, hinted: boolean): string {
  const between = hinted ? "in between only when the server's wait stream says a task may have finished" : 'not in between'
  return (
    `Input 'interval' ('${inputQuote(interval)}') is longer than 'timeout' ('${inputQuote(timeout)}'): a running task is checked ` +
    `when the wait starts and once more just before the timeout, ${between}. For checks in between, shorten 'interval'.`
  )
}

function parseStatuses(name: string, raw: string, problems: string[]): Set<string> {
  const statuses = raw
    .split(',')
    .map((status) => status.trim().toLowerCase())
    .filter((status) => status !== '')
  if (statuses.length === 0) problems.push(`Input '${name}' is '${inputQuote(raw)}', but it must list at least one status.`)
  return new Set(statuses)
}
