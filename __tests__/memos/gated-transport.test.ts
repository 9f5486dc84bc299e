/**
 * The gate in front of every request: what each kind of answer teaches it, over real HTTP to a scripted server.
 * Status answers teach through their classified outcome; a stream's answer through its status and headers.
 */
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HttpTransport } from '../../src/http/transport.js'
import { GatedTransport } from '../../src/memos/gated-transport.js'
import { classifySelfHostedResponse } from '../../src/memos/self-hosted-client.js'
import { systemClock } from '../../src/shared/clock.js'
import { RequestAbortedError } from '../../src/shared/outcome.js'
import { RequestGate } from '../../src/wait/request-gate.js'

let server: Server | undefined
let transport: GatedTransport | undefined
/** The paths the server was asked for, in order. */
let asked: string[] = []

afterEach(async () => {
  transport?.close()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = transport = undefined
  asked = []
})

async function serve(answer: (response: ServerResponse) => void): Promise<URL> {
  server = createServer((request, response) => {
    asked.push(request.url ?? '')
    answer(response)
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/product/scheduler/wait/stream`)
}

function gatedTransport(cap = 1000): { gate: RequestGate; transport: GatedTransport } {
  const gate = new RequestGate(cap, systemClock)
  transport = new GatedTransport(new HttpTransport({ userAgent: 'test' }), gate, systemClock)
  return { gate, transport }
}

const options = (): { timeoutMs: number; signal: AbortSignal } => ({ timeoutMs: 5000, signal: new AbortController().signal })

describe('a wait-stream answer teaches the gate', () => {
  it.each([
    ['a 429 with Retry-After, as a gateway sends it', 429, { 'Retry-After': '3' }, 3000],
    ['a 200 whose X-RateLimit budget is used up', 200, { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '5' }, 5000]
  ])('%s: every request of the step waits', async (_name, status, headers, pauseMs) => {
    const url = await serve((response) => {
      response.writeHead(status, { 'Content-Type': status === 200 ? 'text/event-stream' : 'application/json', ...headers })
      response.end()
    })
    const { gate, transport } = gatedTransport()
    const answer = await transport.openStream({ method: 'GET', url, headers: {} }, options())
    if (answer.kind === 'response') answer.body.destroy()
    const now = systemClock.now()
    expect(gate.readyAt(now, 'scheduled') - now).toBeGreaterThan(pauseMs - 200)
    expect(gate.readyAt(now, 'urgent') - now).toBeGreaterThan(pauseMs - 200)
    expect(gate.serverAllowsAt(now) - now).toBeGreaterThan(pauseMs - 200)
  })

  it('a plain 200 stream leaves the gate as it was', async () => {
    const url = await serve((response) => {
      response.writeHead(200, { 'Content-Type': 'text/event-stream' })
      response.end()
    })
    const { gate, transport } = gatedTransport()
    await transport.openStream({ method: 'GET', url, headers: {} }, options())
    const now = systemClock.now()
    expect(gate.serverAllowsAt(now)).toBe(Number.NEGATIVE_INFINITY)
    // Not throttled either: the rate is whole, and the next request may start within a few milliseconds.
    expect(gate.currentCap(now)).toBe(1000)
    expect(gate.readyAt(now, 'scheduled') - now).toBeLessThan(100)
  })

  it('counts against its budget the requests started while its headers were on the way', async () => {
    const url = await serve((response) => {
      if (response.req.url?.endsWith('/stream')) {
        const budget = { 'Content-Type': 'text/event-stream', 'X-RateLimit-Remaining': '3', 'X-RateLimit-Reset': '60' }
        setTimeout(() => response.writeHead(200, budget).end(), 300)
        return
      }
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.end('{"code":200,"message":"ok","data":[{"status":"running"}]}')
    })
    const { gate, transport } = gatedTransport()
    const poll = (): Promise<unknown> =>
      transport.send({ method: 'GET', url: new URL('/status', url), headers: {} }, options(), (parts) =>
        classifySelfHostedResponse(parts, 'u', false)
      )
    const open = transport.openStream({ method: 'GET', url, headers: {} }, options())
    await Promise.all([poll(), poll()])
    const answer = await open
    if (answer.kind === 'response') answer.body.destroy()
    // Three left as the stream's answer was written, less the two polls started since: one.
    expect(gate.serverAllowsAt(systemClock.now())).toBe(Number.NEGATIVE_INFINITY)
    // That one, spent at once (a scheduled poll would be spread over the minute), leaves none.
    await transport.send({ method: 'GET', url: new URL('/status', url), headers: {} }, { ...options(), urgent: true }, (parts) =>
      classifySelfHostedResponse(parts, 'u', false)
    )
    const now = systemClock.now()
    expect(gate.serverAllowsAt(now) - now).toBeGreaterThan(59_000)
  })

  it("never takes a request kept for a final poll: it waits for the server's reset while a poll goes", async () => {
    const url = await serve((response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.end('{"code":200,"message":"ok","data":[{"status":"running"}]}')
    })
    const { gate, transport } = gatedTransport()
    // The final poll is due, and the server allows five more requests in the next minute.
    gate.planFor({ finalPollAt: () => 0, unfinished: () => 1 })
    gate.observeBudget({ remaining: 5, resetInMs: 60_000 }, -1, systemClock.now())
    const opening = new AbortController()
    const open = transport.openStream({ method: 'GET', url, headers: {} }, { timeoutMs: 5000, signal: opening.signal })
    const poll = await transport.send({ method: 'GET', url: new URL('/status', url), headers: {} }, options(), (parts) =>
      classifySelfHostedResponse(parts, 'u', false)
    )
    expect(poll).toMatchObject({ kind: 'status', status: 'running' })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(asked).toEqual(['/status'])
    opening.abort()
    await expect(open).rejects.toBeInstanceOf(RequestAbortedError)
  })
})

describe('a status answer teaches the gate through its outcome', () => {
  it('a 429 with Retry-After pauses the next request', async () => {
    const url = await serve((response) => {
      response.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '2' })
      response.end('{"detail":"Too many requests. Please slow down.","retry_after":2}')
    })
    const { gate, transport } = gatedTransport()
    const outcome = await transport.send({ method: 'GET', url, headers: {} }, options(), (parts) =>
      classifySelfHostedResponse(parts, 'u', false)
    )
    expect(outcome).toMatchObject({ kind: 'transient', throttled: true, retryAfterMs: 2000 })
    const now = systemClock.now()
    expect(gate.readyAt(now, 'scheduled') - now).toBeGreaterThan(1800)
  })

  it('waits in the gate for its turn, then sends', async () => {
    const url = await serve((response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.end('{"code":200,"message":"ok","data":[{"status":"completed"}]}')
    })
    // One request a second: the second one waits its turn in the gate.
    const { transport } = gatedTransport(1)
    const classify = (parts: Parameters<typeof classifySelfHostedResponse>[0]) => classifySelfHostedResponse(parts, 'u', false)
    const started = Date.now()
    await transport.send({ method: 'GET', url, headers: {} }, options(), classify)
    await transport.send({ method: 'GET', url, headers: {} }, options(), classify)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
  })
})
