/**
 * End-to-end on the network: the built dist/index.js, run as the runner runs it, through a real CONNECT proxy
 * with credentials to an https server whose CA the runner trusts by NODE_EXTRA_CA_CERTS, against a server whose
 * certificate it does not trust, and through a gateway outage.
 */
import { MemosSimulator } from '../../simulator/memos-simulator.js'
import { type ActionRun, NODE_VERSION, runAction } from '../../testing/run-action.js'
import { type ConnectProxy, startConnectProxy } from '../../testing/connect-proxy.js'
import { quickInputs } from '../../testing/inputs.js'
import { type OutageGateway, startOutageGateway } from '../../testing/outage.js'
import { type CertificateAuthority, makeCertificateAuthority, startTlsFront, type TlsFront } from '../../testing/tls.js'

const KEY = 'mpg-e2e-network-key-4c1d8e'
const PROXY_PASSWORD = 'pr0xy-e2e-s3cret'

let simulator: MemosSimulator
let ca: CertificateAuthority
let front: TlsFront | undefined
let proxy: ConnectProxy | undefined
let gateway: OutageGateway | undefined

beforeAll(() => (ca = makeCertificateAuthority()))
afterAll(() => ca.dispose())

beforeEach(async () => {
  // Each task's clock starts at its first poll, so a slow process start on a busy machine cannot skip its running phase.
  simulator = new MemosSimulator({ apiKey: KEY, clockStartsAtFirstPoll: true })
  await simulator.start()
})

afterEach(async () => {
  await front?.close()
  await proxy?.close()
  await gateway?.close()
  await simulator.stop()
  front = proxy = gateway = undefined
})

const inputs = (baseUrl: string): Record<string, string> => quickInputs(baseUrl, KEY, { max_interval: '200ms' })

/** What a user sees: the log (less the runner's own mask command), the summary and every output. */
function everythingShown(run: ActionRun): string {
  const log = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'))
  return [...log, run.stderr, run.summary, ...Object.values(run.outputs)].join('\n')
}

const annotations = (run: ActionRun, level: 'warning' | 'error'): string[] =>
  run.stdout.split('\n').filter((line) => line.startsWith(`::${level}`))

describe(`dist/index.js on the network, on Node ${NODE_VERSION}`, () => {
  it('through HTTPS_PROXY with credentials, trusting a private CA from NODE_EXTRA_CA_CERTS: one tunnel and one handshake for every poll', async () => {
    simulator.addTask('task-1', { durationMs: 1500 })
    front = await startTlsFront(Number(new URL(simulator.baseUrl).port), ca.issue(['memos.localhost']))
    proxy = await startConnectProxy({ credentials: { user: 'ci-proxy', password: PROXY_PASSWORD } })
    const run = await runAction({
      inputs: inputs(`https://memos.localhost:${front.port}/api/openmem/v1`),
      env: { HTTPS_PROXY: proxy.url.replace('//', `//ci-proxy:${PROXY_PASSWORD}@`), NODE_EXTRA_CA_CERTS: ca.certificatePath }
    })
    expect(run.outputs.conclusion).toBe('success')
    expect(Number(run.outputs.attempts)).toBeGreaterThanOrEqual(6)
    expect(proxy.tunnels).toEqual([`memos.localhost:${front.port}`])
    expect(front.handshakes).toBe(1)
    expect(everythingShown(run)).not.toContain(PROXY_PASSWORD)
    expect(everythingShown(run)).not.toContain(KEY)
  })

  it('stops on the first attempt when the certificate is not trusted, with one error line that names NODE_EXTRA_CA_CERTS', async () => {
    simulator.addTask('task-1', { durationMs: 0 })
    front = await startTlsFront(Number(new URL(simulator.baseUrl).port), ca.issue(['127.0.0.1']))
    const run = await runAction({ inputs: inputs(`https://127.0.0.1:${front.port}/api/openmem/v1`) })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ conclusion: 'error', attempts: '1' })
    expect(run.outputs.error).toMatch(/^The certificate of 127\.0\.0\.1:\d+ is not trusted .*NODE_EXTRA_CA_CERTS/)
    expect(run.outputs.error).not.toContain('\n')
    expect(annotations(run, 'warning')).toEqual([])
    expect(annotations(run, 'error')).toEqual([expect.stringContaining('NODE_EXTRA_CA_CERTS')])
  })

  it('a 4 s outage of 503s gives one warning annotation, and one line when the server is back', async () => {
    simulator.addTask('task-1', { durationMs: 0 })
    gateway = await startOutageGateway(simulator.baseUrl)
    gateway.goDown(4000)
    const run = await runAction({ inputs: inputs(gateway.baseUrl) })
    expect(run.outputs.conclusion).toBe('success')
    // Many failed attempts (about 20 on a quiet machine, fewer on a busy one), and still one warning.
    expect(gateway.failed).toBeGreaterThanOrEqual(5)
    expect(annotations(run, 'warning')).toHaveLength(1)
    expect(run.stdout).toMatch(new RegExp(`^MemOS answers again after \\d+(\\.\\d)?s of problems: ${gateway.failed} failed attempts`, 'm'))
  })
})
