import * as core from '@actions/core'
import { formatDuration } from './duration.js'
import { readSettings, type Settings } from './inputs.js'
import { MemosClient } from './memos-client.js'
import { waitForTasks } from './poller.js'
import { buildOutputs, errorOutputs, type Outputs, OUTPUT_NAMES, shouldFailStep } from './report.js'
import { buildErrorSummary, buildSummary } from './summary.js'
import { USER_AGENT } from './version.js'

/** After SIGINT/SIGTERM the step must be gone within a second, even if writing the results hangs. */
const CANCEL_EXIT_WATCHDOG_MS = 900

/** Runs the action: read inputs, wait, publish. Every path ends in `publish`, so outputs and summary are never lost. */
export async function run(): Promise<void> {
  const startedAt = performance.now()
  // Masked before anything else can be logged, including input errors.
  const apiKey = core.getInput('api_key').trim() || (process.env.MEMOS_API_KEY ?? '').trim()
  if (apiKey) core.setSecret(apiKey)

  let settings: Settings | undefined
  try {
    settings = readSettings((name) => core.getInput(name))
    const outputs = await waitAndReport(settings)
    finish(outputs, settings)
  } catch (error) {
    // Bad input, or a bug: the step still gets every output and a summary.
    const message = error instanceof Error ? error.message : String(error)
    const outputs = errorOutputs(settings?.taskIds ?? [], message, Math.round(performance.now() - startedAt))
    await publish(outputs, buildErrorSummary(message), apiKey)
    finish(outputs, settings)
  }
}

async function waitAndReport(settings: Settings): Promise<Outputs> {
  const abort = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    core.info(`Received ${signal}: stopping the wait and writing the results.`)
    abort.abort()
    setTimeout(() => process.exit(1), CANCEL_EXIT_WATCHDOG_MS).unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const client = new MemosClient({ baseUrl: settings.baseUrl, apiKey: settings.apiKey, userAgent: USER_AGENT })
  const count = settings.taskIds.length
  core.info(
    `Waiting for ${count === 1 ? `MemOS task ${settings.taskIds[0]}` : `${count} MemOS tasks`} ` +
      `(timeout ${settings.timeoutMs === 0 ? '0: check once' : formatDuration(settings.timeoutMs)}, ` +
      `polling every ${formatDuration(settings.intervalMs)} up to ${formatDuration(settings.maxIntervalMs)}).`
  )
  core.debug(`Endpoint: POST ${client.endpoint}`)
  try {
    const result = await waitForTasks(settings, {
      client,
      signal: abort.signal,
      log: { info: core.info, warning: core.warning, debug: core.debug }
    })
    const outputs = buildOutputs(result)
    await publish(outputs, buildSummary(result, outputs, { endpoint: client.endpoint, timeoutMs: settings.timeoutMs }), settings.apiKey)
    return outputs
  } finally {
    client.close()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** Sets every output and writes the summary. A failed summary write is a warning: it never hides the result. */
async function publish(outputs: Outputs, summary: string, apiKey: string): Promise<void> {
  for (const name of OUTPUT_NAMES) core.setOutput(name, redact(outputs[name], apiKey))
  try {
    await core.summary.addRaw(redact(summary, apiKey), true).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function finish(outputs: Outputs, settings: Settings | undefined): void {
  const failStep = shouldFailStep(outputs.conclusion, settings ?? { failOnFailure: true, failOnTimeout: true })
  if (failStep) {
    core.setFailed(outputs.error || `The wait ended with conclusion '${outputs.conclusion}'.`)
  } else if (outputs.conclusion !== 'success') {
    core.warning(`${outputs.error} (conclusion '${outputs.conclusion}'; the step passes because fail_on_${outputs.conclusion === 'failure' ? 'failure' : 'timeout'} is false)`)
  } else {
    core.info(`Done: conclusion 'success' after ${formatDuration(Number(outputs.duration_ms))}.`)
  }
}

/** The key is masked in logs by the runner; outputs and the summary are files, so it is removed from them here. */
function redact(text: string, apiKey: string): string {
  if (!apiKey) return text
  const jsonEscaped = JSON.stringify(apiKey).slice(1, -1)
  return text.split(apiKey).join('***').split(jsonEscaped).join('***')
}
