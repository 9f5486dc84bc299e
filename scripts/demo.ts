/**
 * `npm run demo`: the built action, end to end, against the MemOS simulator on loopback. No key, no network.
 * It creates three tasks through /add/message, as a workflow would, then runs dist/index.js the way the
 * runner does and prints its log, its outputs and its job summary. The summary is also written as an HTML page,
 * rendered as GitHub renders it, to open in a browser.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MemosSimulator } from '../simulator/memos-simulator.js'
import { summaryPage } from './github-markdown.js'
import { ROOT, runAction } from './run-action.js'

const simulator = new MemosSimulator({ apiKey: 'demo-key-not-a-secret' })
const baseUrl = await simulator.start()

async function addMessage(simulatedDurationMs: number): Promise<string> {
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

const run = await runAction({
  inputs: { task_id: taskIds.join('\n'), api_key: simulator.apiKey, base_url: baseUrl, timeout: '30s' }
})
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
