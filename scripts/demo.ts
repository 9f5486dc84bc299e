/**
 * `npm run demo`: the built action, end to end, against the MemOS simulator on loopback. No key, no network.
 * It creates three tasks as a workflow would (MemOS Cloud: /add/message returns the id; `--api self-hosted`:
 * the workflow chooses the id and gives it to /add), then runs dist/index.js the way the runner does and
 * prints its log as the runner shows it, its outputs and its job summary. The summary is also written as an HTML
 * page, rendered as GitHub renders it, to open in a browser. `npm run demo -- --help` lists the options.
 */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_USER_ID, MemosSimulator } from '../simulator/memos-simulator.js'
import { type CliOption, type CommandLine, readCommandLine } from './command-line.js'
import { summaryPage } from './github-markdown.js'
import { ROOT, runAction } from '../testing/run-action.js'
import { runnerLog } from './runner-log.js'

const COMMAND_LINE = {
  name: 'demo',
  usage: 'npm run demo -- [options]',
  about: [
    'Runs the built action (dist/index.js) against the MemOS simulator on this machine, with no key and no network:',
    'it creates three tasks as a workflow would, waits for them as the runner runs the action, and prints the log',
    'as the runner shows it, the outputs and the job summary, which it also writes as an HTML page. When src/ has',
    'changed since dist/ was built, it rebuilds dist/ first (npm run bundle), so that it runs the code as it is.',
    'CI checks that the committed dist/ matches src/, so commit the rebuilt dist/ with your change.'
  ],
  options: {
    api: {
      type: 'string',
      default: 'cloud',
      value: 'API',
      choices: ['cloud', 'self-hosted'],
      description:
        'cloud (MemOS Cloud: /add/message returns each task id) or self-hosted (the open-source server: the demo chooses each id and gives it to /add).'
    },
    'no-build': {
      type: 'boolean',
      default: false,
      description: 'Run dist/ as it is, even when src/ has changed since it was built (the demo then says so).'
    },
    help: { type: 'boolean', short: 'h', default: false, description: 'Show this help and exit.' }
  } satisfies Record<string, CliOption>
} satisfies CommandLine

const args = readCommandLine<{ api: 'cloud' | 'self-hosted'; 'no-build': boolean }>(COMMAND_LINE)

// The demo shows what dist/ does; after a change to src/ that is old code until dist/ is rebuilt.
const distCheck = spawnSync(process.execPath, [join(ROOT, 'scripts', 'dist-sources.mjs'), 'check'], { encoding: 'utf8' })
if (distCheck.status !== 0 && args['no-build']) {
  console.log('dist/ is older than src/, and --no-build runs it as it is: this shows the old code. Rebuild it with: npm run bundle\n')
} else if (distCheck.status !== 0) {
  console.log(
    'src/ has changed since dist/ was built: rebuilding dist/ first (npm run bundle) so that the demo runs the code as it is.\n' +
      'Commit dist/ with your change; CI checks that it matches src/.\n'
  )
  const bundle = spawnSync('npm', ['run', '--silent', 'bundle'], { cwd: ROOT, stdio: 'inherit' })
  if (bundle.status !== 0) {
    console.error('demo: npm run bundle failed (see above), so dist/ still holds the old code; the demo stops here.')
    process.exit(1)
  }
}

const selfHosted = args.api === 'self-hosted'
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
console.log(rule('log (node dist/index.js, as the runner shows it)'))
const log = runnerLog(run.stdout)
console.log([...log.lines, ...log.notes].join('\n'))
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
