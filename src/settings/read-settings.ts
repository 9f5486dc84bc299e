import { readFileSync, statSync } from 'node:fs'
import { isIPv4 } from 'node:net'
import { resolve } from 'node:path'
import type { ApiMode } from '../memos/connect.js'
import { parseDuration } from '../shared/duration.js'
import { clip, sanitize } from '../shared/text.js'

/** Everything the action needs, validated. Durations are in milliseconds, statuses are lower case. */
export interface Settings {
  /** Unique ids in input order. */
  taskIds: string[]
  /** Which API `base_url` speaks. */
  api: ApiMode
  /** The MemOS user the tasks were added for (self-hosted only; '' with the cloud). */
  userId: string
  /** '' when none is sent (self-hosted without a key). */
  apiKey: string
  /** Without a trailing slash. */
  baseUrl: string
  /** 0 means: check each task once. */
  timeoutMs: number
  intervalMs: number
  maxIntervalMs: number
  requestTimeoutMs: number
  notFoundGraceMs: number
  successStatuses: ReadonlySet<string>
  failureStatuses: ReadonlySet<string>
  failOnFailure: boolean
  failOnTimeout: boolean
  maxRequestsPerSecond: number
  failFast: boolean
  /** Self-hosted: also listen to the server's wait stream, to see tasks finish the moment they do. */
  stream: boolean
}

/**
 * The defaults, as action.yml declares them. `api_key` and `base_url` have none there, so that the
 * MEMOS_API_KEY / MEMOS_BASE_URL environment variables can stand in for them.
 */
export const INPUT_DEFAULTS = {
  api: 'cloud',
  timeout: '10m',
  interval: '500ms',
  max_interval: '30s',
  request_timeout: '30s',
  not_found_grace: '10s',
  success_statuses: 'completed',
  failure_statuses: 'failed,fail,error,cancelled,canceled',
  fail_on_failure: 'true',
  fail_on_timeout: 'true',
  max_requests_per_second: '20',
  fail_fast: 'true',
  stream: 'true'
} as const

export const DEFAULT_BASE_URL = 'https://memos.memtensor.cn/api/openmem/v1'
export const GLOBAL_BASE_URL = 'https://api.memt.ai/platform/api/openmem/v1'
/** The open-source server's API root in its docker compose quick start. */
export const SELF_HOSTED_BASE_URL = 'http://localhost:8000/product'
const API_MODES: readonly ApiMode[] = ['cloud', 'self-hosted']
const CLOUD_HOSTS = new Set([new URL(DEFAULT_BASE_URL).hostname, new URL(GLOBAL_BASE_URL).hostname])

/** MemOS asks for at most 50 requests per second per account; more than this is surely a typo. */
const MAX_RATE_CAP = 1000
/** A file lifts the 128 KiB environment limit of an input; this many ids still keep every output under 1 MB. */
export const MAX_TASK_IDS = 10_000
/** All ids together: keeps `failed_task_ids` and `pending_task_ids` under the 1 MB output limit. */
const MAX_TASK_ID_CHARS = 512 * 1024
/** Room for the ids with any separators; a larger file is not a list of task ids. */
const MAX_TASK_ID_FILE_BYTES = 4 * 1024 * 1024
const MIN_API_KEY_LENGTH = 8
const MIN_INTERVAL_MS = 100
const MAX_TIMEOUT_MS = 24 * 3_600_000
const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

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

/** Reads one input by its action.yml name; returns '' when it is not set. */
export type InputReader = (name: string) => string

/** Settings warnings: inputs that are valid but have no effect. */
export type WarningSink = (message: string) => void

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
    warn(`Input 'user_id' ('${abbreviate(userId)}') is not used with 'api: cloud': MemOS Cloud finds a task by its id and the key.`)
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
        `Input '${name}' has an invalid duration '${abbreviate(raw)}'. Use seconds (600) or a duration such as 250ms, 90s, 5m or 1h30m.`
      )
      return 0
    }
    if (ms < min || ms > MAX_TIMEOUT_MS) {
      problems.push(`Input '${name}' is '${abbreviate(raw)}', which is out of range: it must be between ${min}ms and 24h.`)
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
      problems.push(`Input '${name}' is '${abbreviate(raw)}', but it must be 'true' or 'false'.`)
    return value
  }
  const failOnFailure = boolean('fail_on_failure')
  const failOnTimeout = boolean('fail_on_timeout')
  const failFast = boolean('fail_fast')
  const stream = boolean('stream')

  const rawRate = input('max_requests_per_second')
  const maxRequestsPerSecond = Number(rawRate)
  if (!/^\d+$/.test(rawRate) || maxRequestsPerSecond < 1 || maxRequestsPerSecond > MAX_RATE_CAP) {
    problems.push(`Input 'max_requests_per_second' is '${abbreviate(rawRate)}', but it must be a whole number from 1 to ${MAX_RATE_CAP}.`)
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

/**
 * The ids of `task_id`, then those of the file `task_id_file` names (relative to the workspace), each
 * read by the same rules; duplicates are kept once, in first-seen order.
 */
function readTaskIds(read: InputReader, env: NodeJS.ProcessEnv, problems: string[]): string[] {
  const problemsBefore = problems.length
  const raw = read('task_id')
  const fromInput = parseTaskIds("Input 'task_id'", raw, problems)
  const file = read('task_id_file').trim()
  const fromFile = file ? parseTaskIds(`Input 'task_id_file' ('${abbreviate(file)}')`, readIdFile(file, env, problems), problems) : []
  const ids = [...new Set([...fromInput, ...fromFile])]
  if (ids.length === 0 && problems.length === problemsBefore) {
    const got = file ? `'task_id_file' ('${abbreviate(file)}') holds no ids` : `'task_id' is '${abbreviate(raw)}'`
    problems.push(
      `Input 'task_id' or 'task_id_file' is required: give the task_id that /add/message or /add/feedback returned (or, self-hosted, that you gave to /add), or a file of ids (${got}).`
    )
  }
  if (ids.length > MAX_TASK_IDS) {
    problems.push(`Inputs 'task_id' and 'task_id_file' hold ${ids.length} ids; split them into steps of at most ${MAX_TASK_IDS}.`)
  } else if (ids.reduce((chars, id) => chars + id.length, 0) > MAX_TASK_ID_CHARS) {
    problems.push(
      `Inputs 'task_id' and 'task_id_file' hold more than ${MAX_TASK_ID_CHARS / 1024} KiB of ids; split them into smaller steps.`
    )
  }
  return ids
}

function readIdFile(file: string, env: NodeJS.ProcessEnv, problems: string[]): string {
  const path = resolve(env.GITHUB_WORKSPACE || process.cwd(), file)
  try {
    const size = statSync(path).size
    if (size > MAX_TASK_ID_FILE_BYTES) {
      problems.push(
        `Input 'task_id_file' is '${abbreviate(file)}', which holds ${size} bytes: far more than ${MAX_TASK_IDS} ids take. Check the path.`
      )
      return ''
    }
    return readFileSync(path, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message
    problems.push(`Input 'task_id_file' is '${abbreviate(file)}', which cannot be read (${abbreviate(reason)}): ${path}.`)
    return ''
  }
}

/**
 * Task ids may be separated by commas, spaces or newlines (a YAML block scalar works), or be given
 * as a JSON array of strings, as `toJSON()` of an earlier step's output would be. Blank entries are
 * skipped and duplicates kept once, in first-seen order. `source` names where the ids came from.
 */
export function parseTaskIds(source: string, raw: string, problems: string[]): string[] {
  const text = raw.trim()
  let entries: string[]
  if (text.startsWith('[')) {
    entries = parseJsonIdList(text) ?? []
    if (entries.length === 0 && text !== '[]') {
      problems.push(`${source} looks like a JSON array but is not one of strings: '${abbreviate(text)}'.`)
    }
  } else {
    entries = text.split(/[\s,]/)
  }
  const ids = [...new Set(entries.map((entry) => entry.trim()).filter((entry) => entry !== ''))]
  const bad = ids.filter((id) => !TASK_ID_PATTERN.test(id))
  for (const id of bad.slice(0, 5)) {
    problems.push(`${source} has an invalid id '${abbreviate(id)}': ids are letters, digits, '-', '_', '.' and ':' (at most 128).`)
  }
  if (bad.length > 5) problems.push(`${source} has ${bad.length - 5} more invalid ids.`)
  return ids
}

function parseJsonIdList(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text)
    if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value as string[]
  } catch {
    // Not JSON: reported by the caller.
  }
  return undefined
}

function parseApi(raw: string, problems: string[]): ApiMode {
  const api = API_MODES.find((mode) => mode === raw.toLowerCase())
  if (api) return api
  problems.push(`Input 'api' is '${abbreviate(raw)}', but it must be 'cloud' (MemOS Cloud) or 'self-hosted' (the open-source server).`)
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

/** Hostnames as URL gives them: an IPv6 address keeps its brackets. */
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]'])

function isLoopbackHost(hostname: string): boolean {
  // URL writes every IPv4 host as four decimal parts (127.1 becomes 127.0.0.1): 127.0.0.0/8 is the loopback block.
  return LOOPBACK_HOSTS.has(hostname) || (isIPv4(hostname) && hostname.startsWith('127.')) || hostname.endsWith('.localhost')
}

function parseBaseUrl(raw: string, api: ApiMode, sendsKey: boolean, problems: string[]): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    const example = api === 'self-hosted' ? SELF_HOSTED_BASE_URL : DEFAULT_BASE_URL
    problems.push(`Input 'base_url' is not a URL: '${abbreviate(raw)}'. For 'api: ${api}' it looks like ${example}.`)
    return raw
  }
  if (url.username || url.password) {
    problems.push(
      `Input 'base_url' must not contain credentials: '${url.protocol}//…@${url.host}${url.pathname}'. Pass the key in 'api_key'.`
    )
    return raw
  }
  // A key travels only over https, or over http to this machine; without a key, plain http reaches any
  // self-hosted server (a service container such as http://memos:8000/product).
  const loopback = isLoopbackHost(url.hostname)
  const plainHttpAllowed = loopback || (api === 'self-hosted' && !sendsKey)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`Input 'base_url' is '${abbreviate(raw)}', but it must be an https:// (or http://) URL.`)
  } else if (url.protocol === 'http:' && !plainHttpAllowed) {
    const rule =
      api === 'self-hosted'
        ? "with an 'api_key', plain http is allowed only to loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted"
        : 'http is allowed only for loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted'
    problems.push(`Input 'base_url' is '${abbreviate(raw)}', but it must use https: ${rule}.`)
  }
  if (api === 'self-hosted' && CLOUD_HOSTS.has(url.hostname)) {
    problems.push(`Input 'base_url' is '${abbreviate(raw)}', MemOS Cloud, but 'api' is 'self-hosted': for the cloud, set 'api: cloud'.`)
  }
  if (url.search || url.hash) {
    problems.push(`Input 'base_url' is '${abbreviate(raw)}', but it must not have a query or fragment.`)
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

function parseStatuses(name: string, raw: string, problems: string[]): Set<string> {
  const statuses = raw
    .split(',')
    .map((status) => status.trim().toLowerCase())
    .filter((status) => status !== '')
  if (statuses.length === 0) problems.push(`Input '${name}' is '${abbreviate(raw)}', but it must list at least one status.`)
  return new Set(statuses)
}

function abbreviate(text: string): string {
  return clip(sanitize(text), 80)
}
