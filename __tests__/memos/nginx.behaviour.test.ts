/**
 * The action behind Debian's real nginx, in front of the simulator: as a reverse proxy with its default
 * buffering (which holds the wait stream back), as one set up for event streams, and as an auth gateway that
 * answers a missing credential with its own HTML 401 page. nginx runs as a child process on a loopback port.
 */
import type { MemosSimulator } from '../../simulator/memos-simulator.js'
import { startSimulator, TEST_USER, waitAgainst } from '../../testing/harness.js'
import { describeWith, type RunningProxy, startNginx } from '../../testing/proxies.js'

let simulator: MemosSimulator | undefined
let nginx: RunningProxy | undefined

afterEach(async () => {
  await nginx?.stop()
  await simulator?.stop()
  nginx = simulator = undefined
})

/** The simulator's origin, for proxy_pass. */
const origin = (simulator: MemosSimulator): string => new URL(simulator.baseUrl).origin

const BUFFERING_ADVICE = 'A proxy in front of the server probably buffers event streams.'

describeWith('nginx', 'the wait stream behind nginx', () => {
  const settings = { taskIds: ['task-1'], intervalMs: 200, maxIntervalMs: 400, timeoutMs: 30_000 }

  it("with nginx's default buffering: gives the stream up, says why once, and polls the task to its end", async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 4000, userId: TEST_USER })
    nginx = await startNginx(origin(simulator), 'location / { proxy_pass {upstream}; }')
    const baseUrl = `${nginx.url}/product`
    const { result, log } = await waitAgainst(simulator, settings, { stream: true, baseUrl })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'success', error: '' })
    const advice = log.lines.filter((line) => line.message.includes(BUFFERING_ADVICE))
    expect(advice).toHaveLength(1)
    expect(advice[0]).toMatchObject({ level: 'info' })
    // The headers never came in time (nginx holds them back with the frames).
    expect(advice[0]?.message).toMatch(/^The server's wait stream is not usable \(no headers within 2000ms\)/)
  })

  it('with nginx set up for event streams: the stream works through it, and the task is seen as it ends', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 3000, userId: TEST_USER })
    nginx = await startNginx(
      origin(simulator),
      [
        'location /product/scheduler/wait/stream {',
        '  proxy_pass {upstream};',
        '  proxy_buffering off;',
        '  proxy_http_version 1.1;',
        '  proxy_read_timeout 1h;',
        '}',
        'location / { proxy_pass {upstream}; }'
      ].join('\n')
    )
    const { result, log } = await waitAgainst(simulator, settings, { stream: true, baseUrl: `${nginx.url}/product` })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'success', error: '' })
    expect(log.messages('debug')).toContain('The wait stream is up: the server will say when a task finishes.')
    expect(log.lines.filter((line) => line.message.includes('not usable'))).toEqual([])
    const seen = simulator.statusRequests('task-1').find((request) => request.status === 'completed')
    expect((seen?.answeredAt ?? Number.NaN) - (simulator.completesAt('task-1') ?? Number.NaN)).toBeLessThan(1000)
    // The first poll, and the one the stream asked for: the schedule alone would have taken more.
    expect(simulator.statusRequests('task-1').length).toBeLessThanOrEqual(3)
  })
})

describeWith('nginx', 'an auth gateway (nginx) that answers with its HTML 401 page', () => {
  const gateway = (key: string): string =>
    [`location / {`, `  if ($http_authorization != "Bearer ${key}") { return 401; }`, '  proxy_pass {upstream};', '}'].join('\n')

  it.each([
    [
      'self-hosted, without a key',
      'self-hosted' as const,
      '',
      "The open-source server needs no key, so the server or a gateway in front of it asked for credentials: set 'api_key' (sent as 'Authorization: Bearer')."
    ],
    [
      'cloud, whose key the gateway does not take',
      'cloud' as const,
      'sim-test-key-0001',
      "Check the 'api_key' input: it must be a MemOS API key (API Console > API Keys) of the project that created the task."
    ]
  ])('%s: a credentials problem, not a wrong base_url', async (_name, api, apiKey, hint) => {
    simulator = await startSimulator({ api })
    simulator.addTask('task-1', { durationMs: 0, userId: TEST_USER })
    nginx = await startNginx(origin(simulator), gateway('gateway-secret-1'))
    const baseUrl = `${nginx.url}${new URL(simulator.baseUrl).pathname}`
    const { result } = await waitAgainst(simulator, {}, { api, apiKey, baseUrl, stream: api === 'self-hosted' })
    expect(result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    const error = result.tasks[0]?.error ?? ''
    expect(error).toContain("(HTTP 401, text/html, not JSON: '<html> <head><title>401 Authorization Required</title>")
    expect(error).toContain(hint)
    expect(error).not.toContain("'base_url'")
    expect(simulator.statusRequests()).toEqual([])
  })
})
