/**
 * The network as users meet it, with real parts on 127.0.0.1: a CONNECT proxy, https servers with certificates
 * from a CA made in the test, a plain-HTTP port reached with https://, a closed port, a gateway that goes down,
 * and a host name that cannot exist. Settings are scaled down as in the other behaviour tests.
 */
import { gated } from '../../testing/gated.js'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { CloudClient } from '../../src/memos/cloud-client.js'
import { HttpTransport, type HttpTransportOptions } from '../../src/http/transport.js'
import { type PollSettings, waitForTasks } from '../../src/wait/poller.js'
import { USER_AGENT } from '../../src/shared/version.js'
import { MemosSimulator } from '../../simulator/memos-simulator.js'
import { type ConnectProxy, isolateProxyEnvironment, startConnectProxy } from '../../testing/connect-proxy.js'
import { fastSettings, recordingLog, startSimulator, waitAgainst, type WaitRun } from '../../testing/harness.js'
import { type OutageGateway, startOutageGateway } from '../../testing/outage.js'
import { type CertificateAuthority, type KeyPair, makeCertificateAuthority, startTlsFront, type TlsFront } from '../../testing/tls.js'

/** C0 and C1 control characters: none may reach a log line or an output. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

let simulator: MemosSimulator
let front: TlsFront | undefined
let proxy: ConnectProxy | undefined
let gateway: OutageGateway | undefined

afterEach(async () => {
  await front?.close()
  await proxy?.close()
  await gateway?.close()
  await simulator?.stop()
  front = proxy = gateway = undefined
})

/** The poller and the cloud client on a transport of the test's own, for trust settings the inputs do not have. */
async function waitWithTransport(
  baseUrl: string,
  settings: Partial<PollSettings>,
  transport: Omit<HttpTransportOptions, 'userAgent'> = {}
): Promise<WaitRun> {
  const http = new HttpTransport({ userAgent: USER_AGENT, ...transport })
  const log = recordingLog()
  const started = performance.now()
  try {
    const result = await waitForTasks(fastSettings(settings), {
      client: new CloudClient({ baseUrl, apiKey: simulator.apiKey, transport: gated(http) }),
      log,
      signal: new AbortController().signal
    })
    return { result, log, elapsedMs: performance.now() - started }
  } finally {
    http.close()
  }
}

/** Everything a user could see of a run: the result (with each task's error) and every log line. */
function everythingShown(run: WaitRun): string {
  return JSON.stringify(run.result) + run.log.lines.map((line) => line.message).join('\n')
}

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('certificates and TLS: an error on the first attempt, naming the problem and the host', () => {
  let ca: CertificateAuthority
  beforeAll(() => (ca = makeCertificateAuthority()))
  afterAll(() => ca.dispose())

  async function httpsSimulator(pair: KeyPair): Promise<string> {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    front = await startTlsFront(Number(new URL(simulator.baseUrl).port), pair)
    return `https://127.0.0.1:${front.port}${new URL(simulator.baseUrl).pathname}`
  }

  it.each([
    [
      'a certificate from a private CA the runner does not trust',
      () => ca.issue(['127.0.0.1']),
      false,
      /^The certificate of 127\.0\.0\.1:\d+ is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*NODE_EXTRA_CA_CERTS/
    ],
    [
      'a self-signed certificate',
      () => ca.selfSigned(['127.0.0.1']),
      false,
      /^The certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT: .*NODE_EXTRA_CA_CERTS/
    ],
    [
      'an expired certificate',
      () => ca.issue(['127.0.0.1'], { expired: true }),
      true,
      /^The certificate of 127\.0\.0\.1:\d+ has expired \(CERT_HAS_EXPIRED: /
    ],
    [
      'a certificate for another name',
      () => ca.issue(['memos.example']),
      true,
      /^The certificate of 127\.0\.0\.1:\d+ is for another name \(ERR_TLS_CERT_ALTNAME_INVALID: .*Check the host in 'base_url'/
    ]
  ])('%s', async (_name, makePair, trustCa, message) => {
    const baseUrl = await httpsSimulator(makePair())
    const run = await waitWithTransport(baseUrl, {}, trustCa ? { trustedCertificates: ca.certificate } : {})
    expect(run.result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(run.result.stopReason).toBe('fatal')
    expect(run.result.tasks[0]?.error).toMatch(message)
    expect(run.result.tasks[0]?.error).not.toMatch(CONTROL)
    expect(run.log.messages('warning')).toEqual([])
    expect(simulator.statusRequests()).toHaveLength(0)
  })

  it('succeeds with a trusted private CA, over one TLS connection kept alive across every poll', async () => {
    const baseUrl = await httpsSimulator(ca.issue(['127.0.0.1']))
    simulator.addTask('task-1', { durationMs: 1200 })
    const run = await waitWithTransport(baseUrl, {}, { trustedCertificates: ca.certificate })
    expect(run.result.tasks[0]?.conclusion).toBe('success')
    expect(simulator.statusRequests().length).toBeGreaterThanOrEqual(6)
    expect(front?.handshakes).toBe(1)
  })

  it('stops at once on https:// to a port that speaks plain HTTP, in one line that suggests http://', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    const run = await waitAgainst(simulator, {}, { baseUrl: simulator.baseUrl.replace('http://', 'https://') })
    const error = run.result.tasks[0]?.error ?? ''
    expect(run.result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(error).toMatch(/^The TLS handshake with 127\.0\.0\.1:\d+ failed \(ERR_SSL_WRONG_VERSION_NUMBER: wrong version number\)/)
    expect(error).toContain("if so, 'base_url' starts with http://")
    expect(error).not.toMatch(CONTROL)
    expect(run.log.messages('warning')).toEqual([])
  })
})

describe('proxies: one kept-alive tunnel, credentials that work and never show', () => {
  isolateProxyEnvironment()

  /** The simulator under a name that is not loopback, so that the proxy applies (the proxy maps it to 127.0.0.1). */
  const viaName = (url: string): string => url.replace('127.0.0.1', 'memos.localhost')

  it('sends every poll through one CONNECT tunnel', async () => {
    proxy = await startConnectProxy()
    process.env.HTTP_PROXY = proxy.url
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 1200 })
    const baseUrl = viaName(simulator.baseUrl)
    const run = await waitAgainst(simulator, {}, { baseUrl })
    expect(run.result.tasks[0]?.conclusion).toBe('success')
    expect(simulator.statusRequests().length).toBeGreaterThanOrEqual(6)
    expect(proxy.tunnels).toEqual([`memos.localhost:${new URL(baseUrl).port}`])
  })

  it("takes the self-hosted server's wait stream through the proxy too, beside the status requests' tunnel", async () => {
    proxy = await startConnectProxy()
    process.env.HTTP_PROXY = proxy.url
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 1200 })
    const baseUrl = viaName(simulator.baseUrl)
    const run = await waitAgainst(simulator, { intervalMs: 100, maxIntervalMs: 5000 }, { baseUrl, stream: true })
    expect(run.result.tasks[0]?.conclusion).toBe('success')
    expect(simulator.streamRequests()).toHaveLength(1)
    // One tunnel for the status requests, one for the stream, and the stream's hint seen in time.
    expect(proxy.tunnels).toEqual([`memos.localhost:${new URL(baseUrl).port}`, `memos.localhost:${new URL(baseUrl).port}`])
    expect(simulator.statusRequests().length).toBeLessThanOrEqual(3)
    expect(run.log.messages('info').filter((line) => line.includes('wait stream'))).toEqual([])
  })

  it('sends the credentials in the proxy URL, and no output or log line shows them', async () => {
    const password = 'pr0xy-s3cret!'
    proxy = await startConnectProxy({ credentials: { user: 'ci-proxy', password } })
    process.env.HTTP_PROXY = proxy.url.replace('//', `//ci-proxy:${encodeURIComponent(password)}@`)
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 200 })
    const run = await waitAgainst(simulator, {}, { baseUrl: viaName(simulator.baseUrl) })
    expect(run.result.tasks[0]?.conclusion).toBe('success')
    expect(proxy.tunnels).toHaveLength(1)
    expect(proxy.refused).toBe(0)
    expect(everythingShown(run)).not.toContain(password)
    expect(everythingShown(run)).not.toContain(encodeURIComponent(password))
    expect(everythingShown(run)).not.toContain(simulator.apiKey)
  })

  it('stops at once when the proxy refuses the credentials, without showing them', async () => {
    const password = 'wr0ng-pr0xy-pass'
    proxy = await startConnectProxy({ credentials: { user: 'ci-proxy', password: 'the-right-one' } })
    process.env.HTTP_PROXY = proxy.url.replace('//', `//ci-proxy:${password}@`)
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    const run = await waitAgainst(simulator, {}, { baseUrl: viaName(simulator.baseUrl) })
    expect(run.result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(run.result.tasks[0]?.error).toMatch(/^The proxy 127\.0\.0\.1:\d+ refused to connect to memos\.localhost:\d+ .*HTTP 407/)
    expect(proxy.refused).toBe(1)
    expect(everythingShown(run)).not.toContain(password)
  })

  it('through HTTPS_PROXY, an untrusted certificate (as from a TLS-inspecting proxy) stops at once with the CA advice', async () => {
    const ca = makeCertificateAuthority()
    try {
      proxy = await startConnectProxy()
      process.env.HTTPS_PROXY = proxy.url
      simulator = await startSimulator()
      simulator.addTask('task-1', { durationMs: 0 })
      front = await startTlsFront(Number(new URL(simulator.baseUrl).port), ca.issue(['memos.localhost']))
      const run = await waitAgainst(simulator, {}, { baseUrl: `https://memos.localhost:${front.port}/api/openmem/v1` })
      expect(run.result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
      expect(run.result.tasks[0]?.error).toMatch(/^The certificate of memos\.localhost:\d+ is not trusted .*NODE_EXTRA_CA_CERTS/)
      expect(proxy.tunnels).toEqual([`memos.localhost:${front.port}`])
    } finally {
      ca.dispose()
    }
  })
})

describe('servers that cannot be reached', () => {
  it('stops at once, naming the host, when the host does not exist', async () => {
    simulator = await startSimulator()
    const run = await waitAgainst(simulator, {}, { baseUrl: 'https://memos.invalid/api/openmem/v1' })
    expect(run.result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(run.result.tasks[0]?.error).toMatch(/^'base_url' names a host that does not exist: 'memos\.invalid' \(DNS: ENOTFOUND\)/)
  })

  it.each([
    [
      'cloud',
      /^The runner could not resolve 'memos\.invalid' \(DNS: ENOTFOUND\), the default host for 'api: cloud' \('base_url' is not set\)\. /
    ],
    ['self-hosted', /^The runner could not resolve 'memos\.invalid' \(DNS: ENOTFOUND\), the host of .*, the default for 'api: self-hosted'/]
  ] as const)("stops at once when the %s default host does not resolve, saying that nobody set 'base_url'", async (api, reason) => {
    simulator = await startSimulator({ api })
    // The default hosts are real; an unset base_url is stood in for by one that never resolves.
    const run = await waitAgainst(simulator, {}, { baseUrl: 'http://memos.invalid/api', baseUrlSource: 'default' })
    expect(run.result.tasks[0]).toMatchObject({ conclusion: 'error', attempts: 1 })
    expect(run.result.tasks[0]?.error).toMatch(reason)
  })

  it('retries a refused connection, says once that a server may still be starting, and ends with "never reached"', async () => {
    simulator = await startSimulator()
    const port = await closedPort()
    const run = await waitAgainst(simulator, { timeoutMs: 1500 }, { baseUrl: `http://127.0.0.1:${port}/api/openmem/v1` })
    const [task] = run.result.tasks
    expect(task?.conclusion).toBe('timed_out')
    expect(task?.attempts).toBeGreaterThan(3)
    expect(task?.error).toMatch(
      new RegExp(
        `^Timed out after 1\\.5s waiting for task task-1: never reached 127\\.0\\.0\\.1:${port} in ${task?.attempts} attempts \\(connection refused ×${task?.attempts}; last attempt: connection refused`
      )
    )
    const warnings = run.log.messages('warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/connection refused .*a server may still be starting/)
    expect(run.log.lines.filter((line) => line.message.includes('may still be starting'))).toHaveLength(1)
  })

  it('follows a server that starts late, and says how long it took to answer', async () => {
    const port = await closedPort()
    simulator = new MemosSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    const starting = new Promise((resolve) => setTimeout(() => resolve(simulator.start(port)), 700))
    const run = await waitAgainst(simulator, { timeoutMs: 5000 }, { baseUrl: `http://127.0.0.1:${port}/api/openmem/v1` })
    await starting
    expect(run.result.tasks[0]?.conclusion).toBe('success')
    expect(run.log.messages('warning')).toHaveLength(1)
    expect(run.log.messages('info')).toContainEqual(
      expect.stringMatching(/^MemOS answers again after (6|7|8|9)\d\dms of problems: \d+ failed attempts \(connection refused ×\d+\)\.$/)
    )
  })
})

describe('outages: one warning, counted repeats, and one line when the server is back', () => {
  it('a 4 s outage of 503s gives one warning, and the recovery line says how long it lasted and what it cost', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    gateway = await startOutageGateway(simulator.baseUrl)
    gateway.goDown(4000)
    const run = await waitAgainst(simulator, {}, { baseUrl: gateway.baseUrl })
    expect(run.result.tasks[0]?.conclusion).toBe('success')
    expect(gateway.failed).toBeGreaterThanOrEqual(10)
    const warnings = run.log.messages('warning')
    expect(warnings.length).toBeLessThanOrEqual(3)
    expect(warnings).toEqual([
      expect.stringMatching(/^MemOS status request: HTTP 503, text\/plain, not JSON: 'service unavailable'; retrying in/)
    ])
    const recovered = run.log.messages('info').filter((line) => line.startsWith('MemOS answers again'))
    expect(recovered).toEqual([
      expect.stringMatching(
        new RegExp(
          `^MemOS answers again after (3\\.9|[45](\\.\\d)?)s of problems: ${gateway.failed} failed attempts \\(HTTP 503 ×${gateway.failed}\\)\\.$`
        )
      )
    ])
  })

  it('a batch in an outage gets one warning, not one per task', async () => {
    simulator = await startSimulator()
    const taskIds = ['task-1', 'task-2', 'task-3', 'task-4', 'task-5']
    taskIds.forEach((id) => simulator.addTask(id, { durationMs: 0 }))
    gateway = await startOutageGateway(simulator.baseUrl)
    gateway.goDown(1000)
    const run = await waitAgainst(simulator, { taskIds }, { baseUrl: gateway.baseUrl })
    expect(run.result.tasks.map((task) => task.conclusion)).toEqual(taskIds.map(() => 'success'))
    expect(gateway.failed).toBeGreaterThanOrEqual(10)
    expect(run.log.messages('warning')).toHaveLength(1)
  })

  it('an outage that outlasts the wait: the error counts the failed attempts by kind', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    gateway = await startOutageGateway(simulator.baseUrl)
    gateway.goDown(60_000)
    const run = await waitAgainst(simulator, { timeoutMs: 1200 }, { baseUrl: gateway.baseUrl })
    const [task] = run.result.tasks
    expect(task?.conclusion).toBe('timed_out')
    expect(task?.error).toBe(
      `Timed out after 1.2s waiting for task task-1 (no status reported yet; last attempt: HTTP 503, text/plain, not JSON: 'service unavailable'; ` +
        `${task?.attempts} of ${task?.attempts} attempts failed: HTTP 503 ×${task?.attempts}).`
    )
    expect(run.log.messages('warning')).toHaveLength(1)
  })
})

describe('the transport keeps its limits', () => {
  it('cuts off a body over the size limit, without reading the rest, and retries', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0, data: { blob: 'x'.repeat(256 * 1024) } })
    const run = await waitWithTransport(simulator.baseUrl, { timeoutMs: 600 }, { maxBodyBytes: 16 * 1024 })
    expect(run.result.tasks[0]?.conclusion).toBe('timed_out')
    expect(run.result.tasks[0]?.error).toContain('last attempt: response larger than 16384 bytes (HTTP 200)')
    expect(run.log.messages('warning')).toHaveLength(1)
  })
})

describe('text from outside reaches no log line or output raw', () => {
  const hostile = 'bad\u001b[31m red\r\n::error::forged\u0007 \u202eevil\u0000'

  it('cleans a server message of control characters and line breaks', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    simulator.injectFault({ kind: 'code', code: 50004, message: hostile, times: 1000 })
    const run = await waitAgainst(simulator, { timeoutMs: 600 })
    expect(run.result.tasks[0]?.conclusion).toBe('timed_out')
    expect(run.result.tasks[0]?.error).toContain('bad\uFFFD[31m red ::error::forged\uFFFD \uFFFDevil\uFFFD')
    for (const line of [...run.log.lines.map((logged) => logged.message), run.result.tasks[0]?.error ?? '']) {
      expect(line).not.toMatch(CONTROL)
      expect(line).not.toContain('\u202e')
    }
  })

  it('cleans a status of control characters before it is logged or compared', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 300, phases: [{ afterMs: 0, status: 'run\u001b[2Jning\nnow' }] })
    const run = await waitAgainst(simulator, {})
    expect(run.result.tasks[0]?.timeline.map((change) => change.status)).toEqual(['run\uFFFD[2Jning now', 'completed'])
    expect(run.log.lines.map((line) => line.message).join('')).not.toMatch(CONTROL)
  })
})
