import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { inputQuote } from '../shared/text.js'
import type { InputReader } from './settings.js'

/** A file lifts the 128 KiB environment limit of an input; this many ids still keep every output under 1 MB. */
export const MAX_TASK_IDS = 10_000
/** All ids together: keeps `failed_task_ids` and `pending_task_ids` under the 1 MB output limit. */
const MAX_TASK_ID_CHARS = 512 * 1024
/** Room for the ids with any separators; a larger file is not a list of task ids. */
const MAX_TASK_ID_FILE_BYTES = 4 * 1024 * 1024
const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

/**
 * The ids of `task_id`, then those of the file `task_id_file` names (relative to the workspace), each
 * read by the same rules; duplicates are kept once, in first-seen order.
 */
export function readTaskIds(read: InputReader, env: NodeJS.ProcessEnv, problems: string[]): string[] {
  const problemsBefore = problems.length
  const raw = read('task_id')
  const fromInput = parseTaskIds("Input 'task_id'", raw, problems)
  const file = read('task_id_file').trim()
  const fromFile = file ? parseTaskIds(`Input 'task_id_file' ('${inputQuote(file)}')`, readIdFile(file, env, problems), problems) : []
  const ids = [...new Set([...fromInput, ...fromFile])]
  if (ids.length === 0 && problems.length === problemsBefore) {
    const got = file ? `'task_id_file' ('${inputQuote(file)}') holds no ids` : `'task_id' is '${inputQuote(raw)}'`
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
        `Input 'task_id_file' is '${inputQuote(file)}', which holds ${size} bytes: far more than ${MAX_TASK_IDS} ids take. Check the path.`
      )
      return ''
    }
    return readFileSync(path, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message
    problems.push(`Input 'task_id_file' is '${inputQuote(file)}', which cannot be read (${inputQuote(reason)}): ${path}.`)
    return ''
  }
}

/**
 * What a script writes where it had no id: JSON's and JavaScript's null and undefined, Python's None, the nil of
 * Ruby, Lua and Go, in any case (SQL writes NULL), and an empty string in JSON or shell quotes. No one would choose
 * any of them as a task id; each means the step before failed or gave the wrong field, and waiting for it would
 * only end in "not found" after `not_found_grace`.
 */
const MISSING_VALUE = /^(null|undefined|none|nil|""|'')$/i
/** An object written as text (`${response}` in JavaScript): `[object Object]`, `[object Undefined]` and so on. */
const OBJECT_TEXT = /\[object [A-Za-z]+\]/
/** The entries of a list that is not JSON: an object's text is taken whole, though it holds a space. */
const LIST_ENTRY = new RegExp(`${OBJECT_TEXT.source}|[^\\s,]+`, 'g')

/**
 * Task ids may be separated by commas, spaces or newlines (a YAML block scalar works), or be given
 * as a JSON array of strings, as `toJSON()` of an earlier step's output would be. Blank entries are
 * skipped and duplicates kept once, in first-seen order. `source` names where the ids came from.
 */
export function parseTaskIds(source: string, raw: string, problems: string[]): string[] {
  const text = raw.trim()
  let entries: string[]
  const json = parseJsonIdList(text)
  if (json) {
    entries = json
  } else if (text.startsWith('[') && text.search(OBJECT_TEXT) !== 0) {
    entries = []
    problems.push(`${source} looks like a JSON array but is not one of strings: '${inputQuote(text)}'.`)
  } else {
    entries = text.match(LIST_ENTRY) ?? []
  }
  const ids = [...new Set(entries.map((entry) => entry.trim()).filter((entry) => entry !== ''))]
  const standIns = ids.filter((id) => MISSING_VALUE.test(id) || OBJECT_TEXT.test(id))
  if (standIns.length > 0) problems.push(standInProblem(source, standIns))
  const bad = ids.filter((id) => !TASK_ID_PATTERN.test(id) && !standIns.includes(id))
  for (const id of bad.slice(0, 5)) {
    problems.push(`${source} has an invalid id '${inputQuote(id)}': ids are letters, digits, '-', '_', '.' and ':' (at most 128).`)
  }
  if (bad.length > 5) problems.push(`${source} has ${bad.length - 5} more invalid ids.`)
  return ids
}

/** One message for every stand-in of a source: they share one cause, the step that should have given the ids. */
function standInProblem(source: string, standIns: string[]): string {
  const [ids, which, taskIds, them] =
    standIns.length === 1 ? ['id', 'which is', 'a task id', 'it'] : ['ids', 'which are', 'task ids', 'them']
  const quoted = inputQuote(standIns.map((id) => `'${id}'`).join(', '))
  return (
    `${source} has the ${ids} ${quoted}, ${which} what a script writes for a missing value or an object, not ${taskIds}. ` +
    `The step that produced ${them} probably failed: for example, MemOS answered with an error such as a bad API key, ` +
    "so '.data.task_id' was null. Check that step's log."
  )
}

/** A JSON array of strings, else undefined; a null in it is kept as 'null', a stand-in the caller reports as such. */
function parseJsonIdList(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text)
    if (Array.isArray(value) && value.every((entry) => typeof entry === 'string' || entry === null)) {
      return value.map((entry: string | null) => entry ?? 'null')
    }
  } catch {
    // Not JSON: reported by the caller.
  }
  return undefined
}
