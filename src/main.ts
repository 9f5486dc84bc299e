import * as core from '@actions/core'
import { type ApiConnection, connect } from './memos/connect.js'
import { formatDuration } from './shared/duration.js'
import { InputError, readSettings } from './settings/read-settings.js'
import { MIN_API_KEY_LENGTH } from './settings/server.js'
import type { Settings } from './settings/settings.js'
import type { Log } from './shared/log.js'
import { waitForTasks } from './wait/poller.js'
import { dataKeeper } from './report/data-keeper.js'
import type { KeptWaitResult } from './report/kept-data.js'
import { buildOutputs, errorOutputs, type Outputs, OUTPUT_NAMES, shouldFailStep, tasksOutputNote } from './report/outputs.js'
import { buildErrorSummary, buildSummary } from './report/summary.js'
import { errorMessage } from './shared/text.js'
import { USER_AGENT } from './shared/version.js'

/** After SIGINT/SIGTERM the step must be gone within a second, even if writing the results hangs. */
const CANCEL_EXIT_WATCHDOG_MS = 900

/** Runs the action: read inputs, wait, publish. Every path publishes, so outputs and summary are never lost. */
export async function run(): Promise<void> {
  const startedAt = performance.now()
  // Masked before anything else can be logged, input errors included. `::add-mask::` is a runner
  // command: anywhere else (a terminal, npm run try) it would print the key in clear.
  // Stryker disable next-line MethodExpression: getInput already trims; the trim keeps this in step with read-settings.ts.
  const apiKey = core.getInput('api_key').trim() || (process.env.MEMOS_API_KEY ?? '').trim()
  if (apiKey && process.env.GITHUB_ACTIONS === 'true') core.setSecret(apiKey)
  const redact = redactor(apiKey)

  // SIGINT/SIGTERM (a cancelled run) end the wait; the results are still written, and the step exits with 1.
  const cancel = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    core.info(`Received ${signal}: stopping the wait and writing the results.`)
    cancel.abort()
    setTimeout(() => process.exit(1), CANCEL_EXIT_WATCHDOG_MS).unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  let settings: Settings | undefined
  try {
    settings = readSettings(
      (name) => core.getInput(name),
      process.env,
      (message) => core.warning(message)
    )
    // The runner masks the key, but a server may echo it: the action removes it from what it prints as well.
    const log: Log = {
      info: (message) => core.info(redact(message)),
      warning: (message) => core.warning(redact(message)),
      debug: (message) => core.debug(redact(message))
    }
    const api = connect(settings, USER_AGENT, log)
    const result = await waitForAll(settings, api, cancel.signal, log)
    const outputs = buildOutputs(result)
    const note = tasksOutputNote(outputs, result.tasks.length)
    if (note) core.info(note)
    const summary = buildSummary(result, outputs, { serverName: api.serverName, timeoutMs: settings.timeoutMs, api: settings.api })
    conclude(await publish(outputs, summary, redact), settings)
  } catch (error) {
    // Bad input, or a bug: the step still gets every output and a summary.
    const message = errorMessage(error)
    // Stryker disable next-line ArrayDeclaration: readSettings throws only InputError, so nothing reaches the [].
    const taskIds = settings?.taskIds ?? (error instanceof InputError ? error.taskIds : [])
    const outputs = errorOutputs(taskIds, message, Math.round(performance.now() - startedAt))
    const problem = error instanceof InputError ? { lead: error.lead, items: error.items } : { lead: message }
    conclude(await publish(outputs, buildErrorSummary(problem), redact), settings)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

async function waitForAll(settings: Settings, api: ApiConnection, signal: AbortSignal, log: Log): Promise<KeptWaitResult> {
  const count = settings.taskIds.length
  core.info(
    `Waiting for ${count === 1 ? `MemOS task ${settings.taskIds[0]}` : `${count} MemOS tasks`} on ${api.serverName} ` +
      `(timeout ${settings.timeoutMs === 0 ? '0: check once' : formatDuration(settings.timeoutMs)}, ` +
      `polling every ${formatDuration(settings.intervalMs)} up to ${formatDuration(settings.maxIntervalMs)}).`
  )
  core.debug(`Endpoint: ${api.endpoint}`)
  try {
    // Each answer's data is cut to what the outputs and the summary can show as it arrives, so memory does not grow with it.
    const keep = dataKeeper(settings.taskIds.length)
    return await waitForTasks(settings, { client: api.source, gate: api.gate, hints: api.hints, signal, log, keep })
  } finally {
    api.close()
  }
}

/**
 * Sets every output and writes the summary, with the key removed from both; returns the outputs as set.
 * A failed summary write is a warning: it never hides the result.
 */
async function publish(outputs: Outputs, summary: string, redact: (text: string) => string): Promise<Outputs> {
  const published = { ...outputs }
  for (const name of OUTPUT_NAMES) {
    if (name !== 'conclusion') published[name] = redact(outputs[name])
    core.setOutput(name, published[name])
  }
  try {
    await core.summary.addRaw(redact(summary), true).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${errorMessage(error)}`)
  }
  return published
}

/** Ends the step: an ::error:: annotation and exit code 1 when it fails, a warning when it passes without success. */
function conclude(outputs: Outputs, settings: Settings | undefined): void {
  // Without settings the wait never started: the conclusion is 'error', which fails the step whatever the inputs say.
  const failStep = settings === undefined || shouldFailStep(outputs.conclusion, settings)
  if (failStep) {
    // Stryker disable next-line StringLiteral: every failing conclusion comes with an error; this is a safety net.
    core.setFailed(outputs.error || `The wait ended with conclusion '${outputs.conclusion}'.`)
  } else if (outputs.conclusion !== 'success') {
    const input = outputs.conclusion === 'failure' ? 'fail_on_failure' : 'fail_on_timeout'
    core.warning(`${outputs.error} The step passes because ${input} is false.`)
  } else {
    core.info(`Done: conclusion 'success' after ${formatDuration(Number(outputs.duration_ms))}.`)
  }
}

/**
 * Removes the key, also in its JSON-escaped form, from text the action writes to files or the log. Server text is
 * cut to a length where it is quoted, so a key it echoes may end at a cut: the start of the key before a cut's '…'
 * goes too. A key the inputs reject was never sent, so no text can hold it, and removing a short one would mangle
 * the very error that says it is too short.
 */
function redactor(apiKey: string): (text: string) => string {
  if (apiKey.length < MIN_API_KEY_LENGTH) return (text) => text
  const forms = [...new Set([apiKey, JSON.stringify(apiKey).slice(1, -1)])]
  return (text) => {
    let clean = text
    for (const form of forms) clean = withoutCutStart(clean.split(form).join('***'), form)
    return clean
  }
}

/** The shortest start of a key that counts as the key where a cut ends it: shorter ones are ordinary text. */
const CUT_KEY_MIN = 4

/** Replaces the start of `key` that ends at a cut ('…'), its longest start first. */
function withoutCutStart(text: string, key: string): string {
  let out = ''
  let from = 0
  // Stryker disable next-line StringLiteral: the first '' finds a "cut" at 0, with nothing before it to replace (the second loops, caught, but shares the line).
  for (let cut = text.indexOf('…'); cut !== -1; cut = text.indexOf('…', cut + 1)) {
    // Stryker disable next-line MethodExpression,ArithmeticOperator: longer starts only cost time: no whole key is left, and one reaching back past `from` would hold the last cut's '…', which no key holds (no HTTP header can carry it).
    for (let length = Math.min(key.length - 1, cut - from); length >= CUT_KEY_MIN; length--) {
      if (text.startsWith(key.slice(0, length), cut - length)) {
        out += `${text.slice(from, cut - length)}***`
        from = cut
        break
      }
    }
  }
  return out + text.slice(from)
}
