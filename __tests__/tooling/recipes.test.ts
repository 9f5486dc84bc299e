/**
 * The README's recipes that add memories, run as a runner would run their step (bash -e, with curl and jq)
 * against the simulator: they hand the next step a task id only when MemOS accepted the memories.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { MemosSimulator } from '../../simulator/memos-simulator.js'
import { ROOT } from '../../testing/run-action.js'

interface Workflow {
  jobs: Record<string, { steps: Array<{ id?: string; run?: string }> }>
}

/** The `run` script of the example's step with id `add`, sent to `baseUrl` instead of `exampleUrl`. */
function addStep(example: string, exampleUrl: string, baseUrl: string): string {
  const workflow = parse(readFileSync(join(ROOT, 'examples', example), 'utf8')) as Workflow
  const script = Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .find((step) => step.id === 'add')?.run
  if (!script?.includes(exampleUrl)) throw new Error(`examples/${example} has no step 'add' that calls ${exampleUrl}`)
  return script.replaceAll(exampleUrl, baseUrl)
}

let dir: string
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'recipe-'))))
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** Runs the script as a step's `run:`; asynchronously, since the server it calls answers from this process. */
async function runStep(script: string, env: Record<string, string>): Promise<{ status: number | null; stderr: string; output: string }> {
  const output = join(dir, 'output')
  writeFileSync(output, '')
  const child = spawn('bash', ['-e', '-c', script], {
    env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: output, NOTE: 'Release abc is going out.', ...env },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const status = await new Promise<number | null>((done) => child.on('close', done))
  return { status, stderr, output: readFileSync(output, 'utf8') }
}

async function statusOf(simulator: MemosSimulator, taskId: string): Promise<string> {
  const response = await fetch(`${simulator.baseUrl}/get/status`, {
    method: 'POST',
    headers: { Authorization: `Token ${simulator.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ task_id: taskId })
  })
  return ((await response.json()) as { data: { status: string } }).data.status
}

describe('examples/deploy-gate.yml, the step that adds the release note', () => {
  const CLOUD = 'https://memos.memtensor.cn/api/openmem/v1'
  let simulator: MemosSimulator

  afterEach(async () => simulator.stop())

  it.each([0, 200] as const)('passes on the id of the task MemOS started (success code %i)', async (successCode) => {
    simulator = new MemosSimulator({ apiKey: 'recipe-key-0001', successCode })
    await simulator.start()
    const run = await runStep(addStep('deploy-gate.yml', CLOUD, simulator.baseUrl), { MEMOS_API_KEY: 'recipe-key-0001' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const taskId = /^task_id=(.+)\n$/.exec(run.output)?.[1] ?? ''
    expect(await statusOf(simulator, taskId)).toBe('running')
  })

  it('fails, with the answer, when MemOS turns the key away with HTTP 200 and code 40132', async () => {
    simulator = new MemosSimulator({ apiKey: 'recipe-key-0001', authFailure: 'code' })
    await simulator.start()
    const run = await runStep(addStep('deploy-gate.yml', CLOUD, simulator.baseUrl), { MEMOS_API_KEY: 'not-the-key-0001' })
    expect(run.status).toBe(1)
    expect(run.stderr).toBe(
      'MemOS did not accept the message, so there is no task to wait for: ' +
        '{"code":40132,"message":"Invalid or expired API key","data":null}\n'
    )
    expect(run.output).toBe('')
  })
})

describe('examples/self-hosted.yml, the step that adds the release note under a chosen task id', () => {
  const SELF_HOSTED = 'http://localhost:8000/product'

  it('passes on the id when the server accepted the memories', async () => {
    const simulator = new MemosSimulator({ api: 'self-hosted' })
    await simulator.start()
    try {
      const run = await runStep(addStep('self-hosted.yml', SELF_HOSTED, simulator.baseUrl), { TASK_ID: 'release-7-1' })
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      expect(run.output).toBe('task_id=release-7-1\n')
    } finally {
      await simulator.stop()
    }
  })

  it('fails, with the answer, when the server says no with HTTP 200 and another code', async () => {
    const answer = '{"code":500,"message":"Memory add failed","data":null}'
    const server: Server = createServer((_request, response) => response.end(answer))
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/product`
      const run = await runStep(addStep('self-hosted.yml', SELF_HOSTED, baseUrl), { TASK_ID: 'release-7-1' })
      expect(run.status).toBe(1)
      expect(run.stderr).toBe(`The MemOS server did not accept the memories, so there is no task to wait for: ${answer}\n`)
      expect(run.output).toBe('')
    } finally {
      server.close()
    }
  })
})
