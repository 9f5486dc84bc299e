/**
 * The poller with the self-hosted client, over real HTTP to the simulator in its open-source-server mode
 * (GET /product/scheduler/status). Settings are scaled down as in the cloud behaviour tests.
 */
import type { MemosSimulator } from '../../simulator/memos-simulator.js'
import { startSimulator, TEST_USER, waitAgainst } from '../../testing/harness.js'

let simulator: MemosSimulator

afterEach(async () => {
  await simulator?.stop()
})

describe('a self-hosted MemOS server', () => {
  it('polls GET /scheduler/status with the user and the task, without any credential, until the task completes', async () => {
    // The task's clock starts at its first poll, so a busy machine cannot skip its running phase.
    simulator = await startSimulator({ api: 'self-hosted', clockStartsAtFirstPoll: true })
    simulator.addTask('task-1', { durationMs: 400 })
    const { result, log } = await waitAgainst(simulator, {})
    expect(result.tasks[0]).toMatchObject({ taskId: 'task-1', status: 'completed', conclusion: 'success', error: '' })
    expect(result.tasks[0]?.data).toEqual({ task_id: 'task-1', status: 'completed' })
    expect(result.tasks[0]?.timeline.map((change) => change.status)).toEqual(['in_progress', 'completed'])
    const requests = simulator.statusRequests()
    expect(requests.length).toBeGreaterThan(1)
    for (const request of requests) {
      expect(request).toMatchObject({ method: 'GET', path: '/product/scheduler/status', userId: TEST_USER, taskId: 'task-1' })
      expect(request.headers.authorization).toBeUndefined()
    }
    // waiting and in_progress are known running statuses: no "unknown status" warning.
    expect(log.messages('warning')).toEqual([])
  })

  it('sends a key as Authorization: Bearer when one is given', async () => {
    simulator = await startSimulator({ api: 'self-hosted', apiKey: 'gateway-key-123' })
    simulator.addTask('task-1', { durationMs: 0 })
    const { result } = await waitAgainst(simulator, {}, { apiKey: 'gateway-key-123' })
    expect(result.tasks[0]?.conclusion).toBe('success')
    expect(simulator.statusRequests()[0]?.headers.authorization).toBe('Bearer gateway-key-123')
  })

  it('stops at once when a gateway demands a key and none was given, saying so', async () => {
    simulator = await startSimulator({ api: 'self-hosted', apiKey: 'gateway-key-123' })
    simulator.addTask('task-1', { durationMs: 0 })
    const { result } = await waitAgainst(simulator, {})
    expect(result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(result.tasks[0]?.error).toContain("set 'api_key'")
  })

  it.each([
    [
      'waiting, then in progress',
      [
        { afterMs: 0, status: 'waiting' },
        { afterMs: 150, status: 'in_progress' }
      ],
      'completed',
      'success'
    ],
    ['failed', undefined, 'failed', 'failure'],
    ['cancelled', undefined, 'cancelled', 'failure']
  ])('follows a task that ends %s', async (_name, phases, finalStatus, conclusion) => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 400, phases, finalStatus: finalStatus === 'completed' ? undefined : finalStatus })
    const { result, log } = await waitAgainst(simulator, {})
    expect(result.tasks[0]).toMatchObject({ status: finalStatus, conclusion })
    expect(log.messages('warning')).toEqual([])
  })

  it('aggregates the items of a task: one failed item fails the task while others still run', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', {
      durationMs: 0,
      items: [{ durationMs: 200, finalStatus: 'failed' }, { durationMs: 5000 }]
    })
    const { result, elapsedMs } = await waitAgainst(simulator, {})
    expect(result.tasks[0]).toMatchObject({ status: 'failed', conclusion: 'failure' })
    expect(elapsedMs).toBeLessThan(2000)
  })

  it.each([
    ['an unknown id', { tracking: true }, 'no-such-task'],
    ['a right id on a server that does not track tasks (no Redis)', { tracking: false }, 'task-1'],
    ["another user's task", { tracking: true }, 'other-users-task']
  ])('ends with an error after the grace for %s, naming the task, the user and the Redis requirement', async (_name, options, taskId) => {
    simulator = await startSimulator({ api: 'self-hosted', ...options })
    simulator.addTask('task-1', { durationMs: 100 })
    simulator.addTask('other-users-task', { durationMs: 100, userId: 'someone-else' })
    const { result, elapsedMs } = await waitAgainst(simulator, { taskIds: [taskId], notFoundGraceMs: 500 })
    const [task] = result.tasks
    expect(task?.conclusion).toBe('error')
    expect(task?.error).toMatch(new RegExp(`^Task ${taskId} was not found \\(HTTP 404: Task ${taskId} not found for user ${TEST_USER}\\)`))
    expect(task?.error).toContain(`'user_id' ('${TEST_USER}')`)
    expect(task?.error).toContain('MEMSCHEDULER_USE_REDIS_QUEUE=true')
    expect(task?.error).not.toMatch(/api_key|API key/)
    expect(elapsedMs).toBeGreaterThanOrEqual(500)
  })

  it('retries a 500 from the server, then follows the task', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 300 })
    simulator.injectFault({ kind: 'http', status: 500, code: 500, message: 'Failed to get scheduler status', times: 2 })
    const { result, log } = await waitAgainst(simulator, {})
    expect(result.tasks[0]?.conclusion).toBe('success')
    expect(log.messages('warning')[0]).toContain('HTTP 500, code 500: Failed to get scheduler status')
  })

  it('stops the task on 422, quoting the server', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.injectFault({ kind: 'http', status: 422, code: 422, message: 'Parameter validation error on GET /product/scheduler/status' })
    const { result } = await waitAgainst(simulator, {})
    expect(result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(result.tasks[0]?.error).toContain('HTTP 422: Parameter validation error on GET /product/scheduler/status')
  })
})

describe('the wrong API, found out on the first answer', () => {
  it.each([
    ['api: cloud pointed at a self-hosted server', 'self-hosted' as const, 'cloud' as const, "set 'api: self-hosted'"],
    [
      'api: self-hosted pointed at a cloud gateway that answers other routes with a page',
      'cloud' as const,
      'self-hosted' as const,
      "Check 'base_url'"
    ]
  ])('%s', async (_name, served, asked, hint) => {
    simulator = await startSimulator({ api: served })
    simulator.addTask('task-1', { durationMs: 100 })
    const { result, elapsedMs } = await waitAgainst(simulator, { notFoundGraceMs: 5000 }, { api: asked, apiKey: '' })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(result.tasks[0]?.error).toMatch(/^'base_url' did not answer like /)
    expect(result.tasks[0]?.error).toContain(hint)
    expect(elapsedMs).toBeLessThan(1000)
  })

  it('a self-hosted base_url without its /product prefix', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    const { result } = await waitAgainst(simulator, { notFoundGraceMs: 5000 }, { baseUrl: simulator.baseUrl.replace('/product', '') })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(result.tasks[0]?.error).toContain('http://localhost:8000/product')
  })
})

describe('pacing by the X-RateLimit-* headers', () => {
  it('keeps a batch inside the server budget, with no 429, where the step rate alone would overrun it', async () => {
    // 10 requests per second for the client: the step's own cap (50 per second) would overrun it at once.
    simulator = await startSimulator({ api: 'self-hosted', windowLimit: { limit: 10, windowMs: 1000 } })
    const ids = Array.from({ length: 8 }, (_, index) => `paced-${index}`)
    for (const id of ids) simulator.addTask(id, { durationMs: 1500 })
    const { result } = await waitAgainst(simulator, { taskIds: ids, timeoutMs: 20_000, maxRequestsPerSecond: 50 })
    expect(result.tasks.map((task) => task.conclusion)).toEqual(ids.map(() => 'success'))
    const requests = simulator.statusRequests()
    expect(requests.filter((request) => request.httpStatus === 429)).toEqual([])
  })

  it('recovers from a 429 by waiting for the reset the server names', async () => {
    simulator = await startSimulator({ api: 'self-hosted', windowLimit: { limit: 2, windowMs: 1000 } })
    simulator.addTask('task-1', { durationMs: 0 })
    // Another client of the same address has used the budget up.
    await fetch(`${simulator.baseUrl}/scheduler/status?user_id=x&task_id=y`)
    await fetch(`${simulator.baseUrl}/scheduler/status?user_id=x&task_id=y`)
    const { result } = await waitAgainst(simulator, { timeoutMs: 5000 })
    expect(result.tasks[0]?.conclusion).toBe('success')
    const mine = simulator.statusRequests('task-1')
    expect(mine.filter((request) => request.httpStatus === 429).length).toBeLessThanOrEqual(1)
  })
})
