/**
 * Starts the MemOS simulator from a shell, for the repository's own workflow and for trying the action
 * by hand:  node .build/simulator/cli.js --port 8787 --key sim-key-123456 --task build-42=3000 --task bad-1=1000:failed
 * The open-source server instead:  --api self-hosted [--user ci-user] (tasks belong to that user; no key unless --key).
 */
import { parseArgs } from 'node:util'
import { DEFAULT_USER_ID, MemosSimulator } from './memos-simulator.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    api: { type: 'string', default: 'cloud' },
    key: { type: 'string' },
    user: { type: 'string', default: DEFAULT_USER_ID },
    task: { type: 'string', multiple: true, default: [] }
  }
})

if (values.api !== 'cloud' && values.api !== 'self-hosted') {
  console.error(`--api must be cloud or self-hosted, got '${values.api}'`)
  process.exit(2)
}
const simulator = new MemosSimulator({ api: values.api, apiKey: values.key })
for (const spec of values.task) {
  const match = /^([^=]+)=(\d+)(?::(.+))?$/.exec(spec)
  if (!match) {
    console.error(`--task must look like ID=DURATION_MS[:FINAL_STATUS], got '${spec}'`)
    process.exit(2)
  }
  const [, id, duration, finalStatus] = match as unknown as [string, string, string, string | undefined]
  simulator.addTask(id, { durationMs: Number(duration), finalStatus, userId: values.user })
}
const url = await simulator.start(Number(values.port), values.host)
console.log(`MemOS simulator (${values.api}) listening: base_url ${url}`)
const stop = (): void => void simulator.stop().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
