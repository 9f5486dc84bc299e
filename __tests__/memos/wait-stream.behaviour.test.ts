/**
 * The self-hosted server's wait stream as a wake-up signal, over real HTTP to the simulator. The schedule is
 * scaled down as in the other behaviour tests; `max_interval` is long so that, without the stream, a finished
 * task would be seen late: what the tests measure is what the stream changes.
 */
import type { MemosSimulator } from '../../simulator/memos-simulator.js'
import { startSimulator, TEST_USER, waitAgainst } from '../../testing/harness.js'
import { sleep } from '../../testing/until.js'

let simulator: MemosSimulator

afterEach(async () => {
  await simulator?.stop()
})

/** The stream's interval (`interval`) is 100 ms; the schedule alone would wait up to 5 s once warmed up. */
const SLOW_SCHEDULE = { intervalMs: 100, maxIntervalMs: 5000, timeoutMs: 20_000 }

/** How long after the task finished the step saw it, from the simulator's own clock. */
function detectionDelay(taskId: string): number {
  const seen = simulator.statusRequests(taskId).find((request) => request.status === 'completed')
  return (seen?.answeredAt ?? Number.NaN) - (simulator.completesAt(taskId) ?? Number.NaN)
}

describe('the wait stream', () => {
  it('opens one stream for the user, with the interval and the time left, and sees the task finish within an interval, for a few requests', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 3000 })
    const { result } = await waitAgainst(simulator, SLOW_SCHEDULE, { stream: true })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'success', status: 'completed' })
    const [stream, ...more] = simulator.streamRequests()
    expect(more).toEqual([])
    const query = new URLSearchParams(stream?.query)
    expect(query.get('user_name')).toBe(TEST_USER)
    expect(query.get('poll_interval')).toBe('0.1')
    expect(Number(query.get('timeout_seconds'))).toBe(20)
    expect(detectionDelay('task-1')).toBeLessThan(100 + 200)
    // The first poll, and the one the stream asked for; the schedule alone takes about 20 here.
    expect(simulator.statusRequests('task-1').length).toBeLessThanOrEqual(3)
  })

  it('polls every unfinished task when another task of the same user finishes, and keeps waiting for its own', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('someone-elses-job', { durationMs: 700 })
    simulator.addTask('task-1', { durationMs: 2000 })
    const { result } = await waitAgainst(simulator, SLOW_SCHEDULE, { stream: true })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'success' })
    const polls = simulator.statusRequests('task-1').map((request) => request.at - (simulator.completesAt('task-1') ?? 0))
    // One poll came soon after the other task finished (about 1.3 s before this one), and found it still running.
    expect(polls.some((at) => at > -1500 && at < -1000)).toBe(true)
    expect(detectionDelay('task-1')).toBeLessThan(300)
  })

  it('never ends the wait on idle alone: with tracking off, the task still ends as not found after the grace', async () => {
    simulator = await startSimulator({ api: 'self-hosted', tracking: false })
    simulator.addTask('task-1', { durationMs: 100 })
    const { result } = await waitAgainst(simulator, { ...SLOW_SCHEDULE, notFoundGraceMs: 800 }, { stream: true })
    expect(result.tasks[0]?.conclusion).toBe('error')
    expect(result.tasks[0]?.error).toContain('MEMSCHEDULER_USE_REDIS_QUEUE=true')
    expect(simulator.streamRequests().length).toBeGreaterThanOrEqual(1)
  })

  it.each([
    ['the route is missing (an older server)', 'missing' as const, /HTTP 404, application\/json \(a server without the route\)/],
    ['an error frame', 'error-frame' as const, /the server reported an error in the stream/],
    ['a stream that closes early', 'close-early' as const, /closed the stream before the deadline/],
    ['a stalled stream (a buffering proxy)', 'stall' as const, /no frame for 3 intervals/],
    ['a stream that floods with data lines and never a blank line', 'flood-lines' as const, /the server sent a frame over 64 KiB/],
    ['a stream that floods with one line that never ends', 'flood-line' as const, /the server sent a frame over 64 KiB/]
  ])('falls back to the schedule when %s, says so once, and never fails the step for it', async (_name, behaviour, reason) => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.streamBehaviour = behaviour
    simulator.addTask('task-1', { durationMs: 1500 })
    const { result, log } = await waitAgainst(simulator, { intervalMs: 100, maxIntervalMs: 300, timeoutMs: 10_000 }, { stream: true })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'success', error: '' })
    const said = log.messages('info').filter((message) => message.startsWith("The server's wait stream is not usable"))
    expect(said).toHaveLength(1)
    expect(said[0]).toMatch(reason)
    expect(log.messages('warning')).toEqual([])
    // Tried again with backoff, while time was left.
    expect(simulator.streamRequests().length).toBeGreaterThanOrEqual(2)
    expect(detectionDelay('task-1')).toBeLessThan(300 + 200)
  })

  it('polls on the schedule again when a healthy stream dies mid-wait, and reconnects', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 2500 })
    const waiting = waitAgainst(simulator, { intervalMs: 100, maxIntervalMs: 300, timeoutMs: 10_000 }, { stream: true })
    await sleep(600)
    const pollsBefore = simulator.statusRequests('task-1').length
    simulator.dropStreams()
    const { result } = await waiting
    expect(result.tasks[0]?.conclusion).toBe('success')
    expect(pollsBefore).toBeLessThanOrEqual(2)
    expect(simulator.streamRequests().length).toBeGreaterThanOrEqual(2)
    expect(detectionDelay('task-1')).toBeLessThan(300 + 200)
  })

  it('closes the stream when the wait is cancelled', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 60_000 })
    const cancel = new AbortController()
    setTimeout(() => cancel.abort(), 500)
    const { result, elapsedMs } = await waitAgainst(simulator, SLOW_SCHEDULE, { stream: true, signal: cancel.signal })
    expect(result.stopReason).toBe('cancelled')
    expect(elapsedMs).toBeLessThan(1000)
    await sleep(50)
    expect(simulator.openStreams).toBe(0)
  })

  it('stays closed with stream: false, and polls on the schedule', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 500 })
    const { result } = await waitAgainst(simulator, {}, { stream: false })
    expect(result.tasks[0]?.conclusion).toBe('success')
    expect(simulator.streamRequests()).toEqual([])
  })
})
