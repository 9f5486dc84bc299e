import { parseDuration } from '../shared/duration.js'
import type { Log } from '../shared/log.js'
import { inputQuote } from '../shared/text.js'
import { parseBaseUrl } from './base-url.js'
import { type ApiMode, DEFAULT_BASE_URL, INPUT_DEFAULTS, type InputReader, SELF_HOSTED_BASE_URL, type Settings } from './settings.js'
import { readTaskIds } from './task-ids.js'

const API_MODES: readonly ApiMode[] = ['cloud', 'self-hosted']
/** MemOS asks for at most 50 requests per second per account; more than this is surely a typo. */
const MAX_RATE_CAP = 1000
const MIN_API_KEY_LENGTH = 8
const MIN_INTERVAL_MS = 100
const MAX_TIMEOUT_MS = 24 * 3_600_000

/**
 * A bad input. The message names every bad input and quotes its value (the key excepted). `taskIds`
 * holds the ids when they were read without a problem, so that the outputs can still list them.
 */
export class InputError extends Error {
  constructor(
    readonly problems: string[],
    readonly taskIds: string[]
  ) {
    super(problems.length === 1 ? problems[0] : `Invalid inputs:\n- ${problems.join('\n- ')}`)
    this.name = 'InputError'
  }
}

/** Settings warnings: inputs that are valid but have no effect. */
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
  const api = parseApi(input('api'), problems)
  const selfHosted = api === 'self-hosted'
  const userId = read('user_id').trim()
  if (selfHosted && userId === '') {
    problems.push("Input 'user_id' is required with 'api: self-hosted': give the MemOS user the tasks were added for.")
  } else if (!selfHosted && userId !== '') {
    warn(`Input 'user_id' ('${inputQuote(userId)}') is not used with 'api: cloud': MemOS Cloud finds a task by its id and the key.`)
  }
  // MEMOS_API_KEY is a cloud key: a self-hosted server logs every header, so there only the input is sent.
  const apiKey = parseApiKey(read('api_key').trim() || (selfHosted ? '' : (env.MEMOS_API_KEY ?? '').trim()), !selfHosted, problems)
  const defaultBaseUrl = selfHosted ? SELF_HOSTED_BASE_URL : DEFAULT_BASE_URL
  const baseUrl = parseBaseUrl(read('base_url').trim() || (env.MEMOS_BASE_URL ?? '').trim() || defaultBaseUrl, api, apiKey !== '', problems)

  const duration = (name: keyof typeof INPUT_DEFAULTS, min: number): number => {
    const raw = input(name)
    const ms = parseDuration(raw)
    if (ms === undefined) {
      problems.push(
        `Input '${name}' has an invalid duration '${inputQuote(raw)}'. Use seconds (600) or a duration such as 250ms, 90s, 5m or 1h30m.`
      )
      return 0
    }
    if (ms < min || ms > MAX_TIMEOUT_MS) {
      problems.push(`Input '${name}' is '${inputQuote(raw)}', which is out of range: it must be between ${min}ms and 24h.`)
    }
    return ms
  }
  const timeoutMs = duration('timeout', 0)
  const intervalMs = duration('interval', MIN_INTERVAL_MS)
  const maxIntervalMs = duration('max_interval', MIN_INTERVAL_MS)
  const requestTimeoutMs = duration('request_timeout', MIN_INTERVAL_MS)
  const notFoundGraceMs = duration('not_found_grace', 0)
  if (maxIntervalMs > 0 && intervalMs > maxIntervalMs) {
    problems.push(`Input 'max_interval' is '${input('max_interval')}', shorter than 'interval' ('${input('interval')}').`)
  }

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

  const rawRate = input('max_requests_per_second')
  const maxRequestsPerSecond = Number(rawRate)
  if (!/^\d+$/.test(rawRate) || maxRequestsPerSecond < 1 || maxRequestsPerSecond > MAX_RATE_CAP) {
    problems.push(`Input 'max_requests_per_second' is '${inputQuote(rawRate)}', but it must be a whole number from 1 to ${MAX_RATE_CAP}.`)
  }

  if (problems.length > 0) throw new InputError(problems, taskIdsReadable ? taskIds : [])
  return {
    taskIds,
    api,
    userId,
    apiKey,
    baseUrl,
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

function parseApi(raw: string, problems: string[]): ApiMode {
  const api = API_MODES.find((mode) => mode === raw.toLowerCase())
  if (api) return api
  problems.push(`Input 'api' is '${inputQuote(raw)}', but it must be 'cloud' (MemOS Cloud) or 'self-hosted' (the open-source server).`)
  return 'cloud'
}

function parseApiKey(key: string, required: boolean, problems: string[]): string {
  if (key === '') {
    if (required)
      problems.push(
        "Input 'api_key' is required: pass it from a secret (api_key: ${{ secrets.MEMOS_API_KEY }}) or set the MEMOS_API_KEY environment variable."
      )
  } else if (key.length < MIN_API_KEY_LENGTH) {
    // Too short to be a MemOS key, and too short to be removed from outputs without mangling them.
    problems.push(`Input 'api_key' is only ${key.length} characters long; check that the secret holds the whole key.`)
  } else if ([...key].some((char) => /\s/.test(char) || char.charCodeAt(0) <= 0x1f || char.charCodeAt(0) === 0x7f)) {
    // The key itself is never quoted: it is a secret even when it is malformed.
    problems.push("Input 'api_key' contains whitespace or control characters; check how the secret was pasted.")
  }
  return key
}

function parseStatuses(name: string, raw: string, problems: string[]): Set<string> {
  const statuses = raw
    .split(',')
    .map((status) => status.trim().toLowerCase())
    .filter((status) => status !== '')
  if (statuses.length === 0) problems.push(`Input '${name}' is '${inputQuote(raw)}', but it must list at least one status.`)
  return new Set(statuses)
}
