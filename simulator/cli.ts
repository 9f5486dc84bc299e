/**
 * Starts the MemOS simulator from a shell, for the repository's own workflow and for trying the action
 * by hand:  npm run simulator -- --task build-42=3000 --task bad-1=1000:failed   (--help lists the options)
 * The open-source server instead:  npm run simulator -- --api self-hosted --task build-42=3000
 */
import { type CliOption, type CommandLine, fail, readCommandLine } from '../scripts/command-line.js'
import { DEFAULT_USER_ID, MemosSimulator } from './memos-simulator.js'

const COMMAND_LINE = {
  name: 'simulator',
  usage: 'npm run simulator -- [options]',
  about: [
    'Serves the MemOS cloud API (POST /get/status, /add/message, /add/feedback) or, with --api self-hosted, the',
    "open-source server's (GET /product/scheduler/status, /product/scheduler/wait/stream, POST /product/add) on this",
    'machine, for trying the action without a MemOS account or server. Tasks added through the API run for',
    'simulated_duration_ms (3000 unless given in the request body).'
  ],
  options: {
    port: { type: 'string', default: '8787', value: 'PORT', description: 'The port to listen on; 0 picks a free one.' },
    host: { type: 'string', default: '127.0.0.1', value: 'HOST', description: 'The address to listen on.' },
    api: {
      type: 'string',
      default: 'cloud',
      value: 'API',
      choices: ['cloud', 'self-hosted'],
      description: 'cloud (MemOS Cloud, POST /get/status) or self-hosted (the open-source server, GET /product/scheduler/status).'
    },
    key: {
      type: 'string',
      value: 'KEY',
      description:
        'cloud: the only API key it accepts (default: sim-test-key-0001). self-hosted: a Bearer key it demands, as a gateway would (none unless given).'
    },
    user: { type: 'string', default: DEFAULT_USER_ID, value: 'USER', description: 'self-hosted: the user the --task tasks belong to.' },
    task: {
      type: 'string',
      multiple: true,
      default: [],
      value: 'ID=DURATION_MS[:FINAL_STATUS]',
      description:
        "A task it knows, running for DURATION_MS from its first poll, then FINAL_STATUS ('completed' unless given). Repeat for more."
    },
    help: { type: 'boolean', short: 'h', default: false, description: 'Show this help and exit.' }
  } satisfies Record<string, CliOption>
} satisfies CommandLine

interface CliArgs {
  port: string
  host: string
  api: 'cloud' | 'self-hosted'
  key: string | undefined
  user: string
  task: string[]
}

const args = readCommandLine<CliArgs>(COMMAND_LINE)
const port = Number(args.port)
if (!/^\d+$/.test(args.port) || port > 65_535) fail(COMMAND_LINE, `--port must be a port number from 0 to 65535, got '${args.port}'`)

const simulator = new MemosSimulator({ api: args.api, apiKey: args.key, clockStartsAtFirstPoll: true })
const taskIds: string[] = []
for (const spec of args.task) {
  const match = /^([^=]+)=(\d+)(?::(.+))?$/.exec(spec)
  if (!match) fail(COMMAND_LINE, `--task must look like ID=DURATION_MS[:FINAL_STATUS], got '${spec}'`)
  const [, id, duration, finalStatus] = match as unknown as [string, string, string, string | undefined]
  simulator.addTask(id, { durationMs: Number(duration), finalStatus, userId: args.user })
  taskIds.push(id)
}

try {
  await simulator.start(port, args.host)
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE')
    fail(COMMAND_LINE, `port ${port} on ${args.host} is in use; stop what holds it, or pick another with --port (0: any free port).`)
  fail(COMMAND_LINE, `cannot listen on ${args.host}:${port}: ${error instanceof Error ? error.message : String(error)}`)
}

console.log(
  [
    `MemOS simulator listening: base_url ${simulator.baseUrl}`,
    simulator.api === 'cloud'
      ? `  api_key: ${simulator.apiKey} (the only key it accepts)`
      : `  user_id: ${args.user}; ${simulator.apiKey ? `api_key: ${simulator.apiKey} (sent as Bearer)` : 'no key needed'}`,
    `  tasks:   ${taskIds.length > 0 ? taskIds.join(', ') : 'none yet; add some with --task, or POST /add/message'}`,
    "  Each task's clock starts at its first poll, so a task runs its whole duration however late the action starts.",
    '',
    'For a local run (npx @github/local-action . src/main.ts .env), put these lines in .env:',
    `INPUT_API=${simulator.api}`,
    `INPUT_BASE_URL=${simulator.baseUrl}`,
    ...(simulator.api === 'self-hosted' ? [`INPUT_USER_ID=${args.user}`] : []),
    `INPUT_API_KEY=${simulator.apiKey}`,
    `INPUT_TASK_ID=${taskIds.join(',')}`,
    '',
    'Stop it with Ctrl+C.'
  ].join('\n')
)
const stop = (): void => void simulator.stop().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
