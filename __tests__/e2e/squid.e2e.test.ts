/**
 * End-to-end through Debian's real squid as HTTPS_PROXY: dist/index.js, run as the runner runs it, to the simulator
 * behind TLS with a private CA that the runner trusts by NODE_EXTRA_CA_CERTS; with and without Basic auth at the
 * proxy, and with the self-hosted wait stream through the same tunnel.
 */
import { MemosSimulator } from '../../simulator/memos-simulator.js'
import { type ActionRun, NODE_VERSION, runAction } from '../../testing/run-action.js'
import { describeWith, type RunningSquid, startSquid } from '../../testing/proxies.js'
import { type CertificateAuthority, makeCertificateAuthority, startTlsFront, type TlsFront } from '../../testing/tls.js'

const KEY = 'mpg-e2e-squid-key-7a3f21'
const HOST = 'memos.localhost'
const PROXY_USER = 'ci-bot'
const PROXY_PASSWORD = 'sq-e2e-s3cret-9'

let simulator: MemosSimulator | undefined
let ca: CertificateAuthority
let front: TlsFront | undefined
let squid: RunningSquid | undefined

beforeAll(() => (ca = makeCertificateAuthority()))
afterAll(() => ca.dispose())

afterEach(async () => {
  await squid?.stop()
  await front?.close()
  await simulator?.stop()
  squid = front = simulator = undefined
})

/** The simulator of this API behind TLS, reachable as https://memos.localhost:port. */
async function serverBehindTls(api: 'cloud' | 'self-hosted'): Promise<string> {
  simulator = new MemosSimulator({ api, apiKey: api === 'cloud' ? KEY : undefined, clockStartsAtFirstPoll: true })
  await simulator.start()
  front = await startTlsFront(Number(new URL(simulator.baseUrl).port), ca.issue([HOST]))
  return `https://${HOST}:${front.port}${new URL(simulator.baseUrl).pathname}`
}

const shown = (run: ActionRun): string =>
  [
    ...run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')),
    run.stderr,
    run.summary,
    ...Object.values(run.outputs)
  ].join('\n')

describeWith('squid', `dist/index.js through squid, on Node ${NODE_VERSION}`, () => {
  it('tunnels every poll through squid to an https server of a private CA', async () => {
    const baseUrl = await serverBehindTls('cloud')
    simulator?.addTask('task-1', { durationMs: 1500 })
    squid = await startSquid({ loopbackNames: [HOST] })
    const run = await runAction({
      inputs: { task_id: 'task-1', api_key: KEY, base_url: baseUrl, interval: '100ms', max_interval: '200ms' },
      env: { HTTPS_PROXY: squid.url, NODE_EXTRA_CA_CERTS: ca.certificatePath }
    })
    expect(run.outputs.conclusion).toBe('success')
    expect(Number(run.outputs.attempts)).toBeGreaterThanOrEqual(4)
    // One kept-alive tunnel for all the polls.
    expect(squid.accessLog().filter((line) => line.includes(`CONNECT ${HOST}:${front?.port}`))).toHaveLength(1)
    expect(front?.handshakes).toBe(1)
  })

  it('sends the credentials of the proxy URL to a squid that asks for them, and never shows them', async () => {
    const baseUrl = await serverBehindTls('cloud')
    simulator?.addTask('task-1', { durationMs: 500 })
    squid = await startSquid({ auth: { user: PROXY_USER, password: PROXY_PASSWORD }, loopbackNames: [HOST] })
    const proxyUrl = squid.url.replace('//', `//${PROXY_USER}:${PROXY_PASSWORD}@`)
    const run = await runAction({
      inputs: { task_id: 'task-1', api_key: KEY, base_url: baseUrl, interval: '100ms', max_interval: '200ms' },
      env: { HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: ca.certificatePath }
    })
    expect(run.outputs.conclusion).toBe('success')
    expect(squid.accessLog().some((line) => line.includes('TCP_TUNNEL/200') && line.includes(PROXY_USER))).toBe(true)
    expect(shown(run)).not.toContain(PROXY_PASSWORD)
    expect(shown(run)).not.toContain(KEY)
  })

  it('stops at once when squid refuses the credentials (HTTP 407), naming the proxy', async () => {
    const baseUrl = await serverBehindTls('cloud')
    simulator?.addTask('task-1', { durationMs: 0 })
    squid = await startSquid({ auth: { user: PROXY_USER, password: PROXY_PASSWORD }, loopbackNames: [HOST] })
    const run = await runAction({
      inputs: { task_id: 'task-1', api_key: KEY, base_url: baseUrl },
      env: { HTTPS_PROXY: squid.url.replace('//', `//${PROXY_USER}:wrong-password@`), NODE_EXTRA_CA_CERTS: ca.certificatePath }
    })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ conclusion: 'error', attempts: '1' })
    expect(run.outputs.error).toBe(
      `The proxy 127.0.0.1:${squid.port} refused to connect to ${HOST}:${front?.port} without valid credentials (HTTP 407). Give them in the proxy URL: http://user:password@host:port.`
    )
    expect(simulator?.statusRequests()).toEqual([])
  })

  it('carries the self-hosted wait stream through the same proxy', async () => {
    const baseUrl = await serverBehindTls('self-hosted')
    simulator?.addTask('task-1', { durationMs: 2500, userId: 'ci-user' })
    squid = await startSquid({ loopbackNames: [HOST] })
    const run = await runAction({
      inputs: { task_id: 'task-1', api: 'self-hosted', user_id: 'ci-user', base_url: baseUrl, interval: '200ms', max_interval: '400ms' },
      env: { HTTPS_PROXY: squid.url, NODE_EXTRA_CA_CERTS: ca.certificatePath }
    })
    expect(run.outputs.conclusion).toBe('success')
    expect(simulator?.streamRequests().map((request) => request.httpStatus)).toEqual([200])
    // Seen through the stream's hint: the first poll and the one it asked for.
    expect(Number(run.outputs.attempts)).toBeLessThanOrEqual(3)
  })
})
