/**
 * The inputs that choose the server and how to ask it: `api`, `user_id`, `api_key` and `base_url`. The rules of
 * the last three depend on the mode, so with an `api` that is neither mode only the rules that hold in both are
 * checked: a typo in `api` is reported alone, never as the broken rule of a mode the user did not pick.
 */
import type { Log } from '../shared/log.js'
import { inputQuote } from '../shared/text.js'
import { parseBaseUrl } from './base-url.js'
import {
  type ApiMode,
  type BaseUrlSource,
  DEFAULT_BASE_URL,
  INPUT_DEFAULTS,
  type InputReader,
  SELF_HOSTED_BASE_URL,
  type Settings
} from './settings.js'

export type ServerSettings = Pick<Settings, 'api' | 'userId' | 'apiKey' | 'baseUrl' | 'baseUrlSource'>

const API_MODES: readonly ApiMode[] = ['cloud', 'self-hosted']
export const MIN_API_KEY_LENGTH = 8

/** The server's settings; undefined when `api` is neither mode (reported, with any problem that holds in both). */
export function readServer(
  read: InputReader,
  env: NodeJS.ProcessEnv,
  problems: string[],
  warn: Log['warning']
): ServerSettings | undefined {
  const rawApi = read('api').trim()
  const api = parseApi(rawApi || INPUT_DEFAULTS.api, problems)
  const userId = read('user_id').trim()
  if (api === 'self-hosted' && userId === '') {
    problems.push("Input 'user_id' is required with 'api: self-hosted': give the MemOS user the tasks were added for.")
  } else if (api === 'cloud' && userId !== '') {
    const mode = rawApi === '' ? "'api: cloud' (the default)" : "'api: cloud'"
    const advice = rawApi === '' ? " For the open-source server, set 'api: self-hosted'." : ''
    warn(`Input 'user_id' ('${inputQuote(userId)}') is not used with ${mode}: MemOS Cloud finds a task by its id and the key.${advice}`)
  }
  const apiKey = readApiKey(read, env, api, problems)
  const { baseUrl, baseUrlSource } = readBaseUrl(read, env, api, apiKey !== '', problems)
  return api === undefined ? undefined : { api, userId, apiKey, baseUrl, baseUrlSource }
}

function parseApi(raw: string, problems: string[]): ApiMode | undefined {
  const api = API_MODES.find((mode) => mode === raw.toLowerCase())
  if (!api) {
    problems.push(`Input 'api' is '${inputQuote(raw)}', but it must be 'cloud' (MemOS Cloud) or 'self-hosted' (the open-source server).`)
  }
  return api
}

/**
 * The input, or for the cloud MEMOS_API_KEY: it is a cloud key, and a self-hosted server logs every header, so
 * there only the input is sent. Without a mode, the environment's key may never be sent, so it is not judged.
 */
function readApiKey(read: InputReader, env: NodeJS.ProcessEnv, api: ApiMode | undefined, problems: string[]): string {
  const input = read('api_key').trim()
  const key = input || (api === 'cloud' ? (env.MEMOS_API_KEY ?? '').trim() : '')
  const name = input === '' ? 'The MEMOS_API_KEY environment variable' : "Input 'api_key'"
  if (key === '') {
    if (api === 'cloud')
      problems.push(
        "Input 'api_key' is required: pass it from a secret (api_key: ${{ secrets.MEMOS_API_KEY }}) or set the MEMOS_API_KEY environment variable."
      )
  } else if (key.length < MIN_API_KEY_LENGTH) {
    // Too short to be a MemOS key, and too short to be removed from outputs without mangling them.
    const characters = key.length === 1 ? 'character' : 'characters'
    problems.push(`${name} is only ${key.length} ${characters} long; check that the secret holds the whole key.`)
  } else if ([...key].some((char) => /\s/.test(char) || char.charCodeAt(0) <= 0x1f || char.charCodeAt(0) === 0x7f)) {
    // The key itself is never quoted: it is a secret even when it is malformed.
    problems.push(`${name} contains whitespace or control characters; check how the secret was pasted.`)
  }
  return key
}

/** The input, else MEMOS_BASE_URL, else the mode's default (the cloud's when `api` is bad: the step stops anyway). */
function readBaseUrl(
  read: InputReader,
  env: NodeJS.ProcessEnv,
  api: ApiMode | undefined,
  sendsKey: boolean,
  problems: string[]
): Pick<Settings, 'baseUrl' | 'baseUrlSource'> {
  const input = read('base_url').trim()
  const fromEnv = (env.MEMOS_BASE_URL ?? '').trim()
  const baseUrlSource: BaseUrlSource = input ? 'input' : fromEnv ? 'environment' : 'default'
  const raw = input || fromEnv || (api === 'self-hosted' ? SELF_HOSTED_BASE_URL : DEFAULT_BASE_URL)
  const name = baseUrlSource === 'environment' ? 'The MEMOS_BASE_URL environment variable' : "Input 'base_url'"
  return { baseUrl: parseBaseUrl(raw, name, api, sendsKey, problems), baseUrlSource }
}
