/**
 * `npm run demo`: the built action, end to end, against the MemOS simulator on loopback. No key, no network.
 * It creates three tasks as a workflow would (MemOS Cloud: /add/message returns the id; `--api self-hosted`:
 * the workflow chooses the id and gives it to /add), then runs dist/index.js the way the runner does and
 * prints its log, its outputs and its job summary. The summary is also written as an HTML page, rendered as
 * GitHub renders it, to open in a browser.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_USER_ID, MemosSimulator } from '../simulator/memos-simulator.js'
import { summaryPage } from './github-markdown.js'
import { ROOT, runAction } from '../testing/run-action.js'

const { values } = parseArgs({ options: { api: { type: 'string', default: 'cloud' } } })
if (values.api !== 'cloud' && values.api !== 'self-hosted') {
  console.error(`--api must be cloud or self-hosted, got '${values.api}'`)
  process.exit(2)
}
const selfHosted = values.api === 'self-hosted'
const simulator = new MemosSimulator(selfHosted ? { api: 'self-hosted' } : { apiKey: 'demo-key-not-a-secret' })
const baseUrl = await simulator.start()

/** The open-source server: the client chooses the task id and passes it to /add. */
async function addWithChosenId(simulatedDurationMs: number): Promise<string> {
  const taskId = randomUUID()
  await fetch(`${baseUrl}/add`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      user_id: DEFAULT_USER_ID,
      task_id: taskId,
      messages: [{ role: 'user', content: 'I prefer tea.' }],
      simulated_duration_ms: simulatedDurationMs
    })
  })
  return taskId
}

async function addMessage(simulatedDurationMs: number): Promise<string> {
  if (selfHosted) return addWithChosenId(simulatedDurationMs)
  const response = await fetch(`${baseUrl}/add/message`, {
    method: 'POST',
    headers: { Authorization: `Token ${simulator.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      user_id: 'demo-user',
      messages: [{ role: 'user', content: 'I prefer tea.' }],
      simulated_duration_ms: simulatedDurationMs
    })
  })
  const body = (await response.json()) as { data: { task_id: string } }
  return body.data.task_id
}

const taskIds = [await addMessage(1500), await addMessage(3000), await addMessage(2200)]
console.log(`Simulator at ${baseUrl}; created tasks:\n  ${taskIds.join('\n  ')}\n`)

const modeInputs: Record<string, string> = selfHosted ? { api: 'self-hosted', user_id: DEFAULT_USER_ID } : { api_key: simulator.apiKey }
const run = await runAction({ inputs: { task_id: taskIds.join('\n'), base_url: baseUrl, timeout: '30s', ...modeInputs } })
await simulator.stop()

const rule = (title: string): string => `\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}\n`
console.log(rule('log (stdout of node dist/index.js)'))
const lines = run.stdout.trimEnd().split('\n')
const debugLines = lines.filter((line) => line.startsWith('::debug::')).length
console.log(lines.filter((line) => !line.startsWith('::debug::')).join('\n'))
console.log(`(${debugLines} ::debug:: lines hidden: the runner shows them when step debug logging is on)`)
console.log(rule('outputs (GITHUB_OUTPUT)'))
for (const [name, value] of Object.entries(run.outputs)) {
  const shown = value.length > 160 ? `${value.slice(0, 160)}… (${value.length} chars)` : value
  console.log(`${name}=${shown}`)
}
console.log(rule('job summary (GITHUB_STEP_SUMMARY, markdown)'))
console.log(run.summary.trimEnd())
const pagePath = join(ROOT, '.build', 'demo', 'summary.html')
mkdirSync(join(ROOT, '.build', 'demo'), { recursive: true })
writeFileSync(pagePath, summaryPage(run.summary, 'Wait for MemOS task summary'))
console.log(`\nThe job summary as GitHub shows it: ${pagePath}`)
console.log(rule(`exit code ${run.code}, ${Math.round(run.elapsedMs)} ms`))
process.exitCode = run.code === 0 ? 0 : 1
