/**
 * The shared HTTP layer on its own, against real servers on 127.0.0.1 that misbehave in the ways a gateway or a
 * proxy can: answering late or never, cutting a body short, sending too much, redirecting. What a client gets
 * back is either a complete answer or a classified failure; only the caller's own abort throws.
 */
import { getEventListeners } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { HttpTransport, type HttpRequest, type HttpTransportOptions } from '../../src/http/transport.js'
import { RequestAbortedError } from '../../src/shared/outcome.js'
import { type ConnectProxy, isolateProxyEnvironment, startConnectProxy } from '../../testing/connect-proxy.js'
import { type CertificateAuthority, makeCertificateAuthority, startTlsFront, type TlsFront } from '../../testing/tls.js'
import { sleep, until } from '../../testing/until.js'

interface Received {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/** A plain HTTP server whose every answer the test decides; it records what arrived and which connections closed. */
interface TestServer {
  origin: string
  port: number
  received: Received[]
  /** Connections the server has seen opened, and closed. */
  openedConnections: number
  closedConnections: number
  close(): Promise<void>
}

let server: TestServer | undefined
let transport: HttpTransport | undefined
let proxy: ConnectProxy | undefined
let front: TlsFront | undefined

afterEach(async () => {
  transport?.close()
  await proxy?.close()
  await front?.close()
  await server?.close()
  transport = server = proxy = front = undefined
})

async function startServer(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<TestServer> {
  const sockets = new Set<Socket>()
  const started: TestServer = {
    origin: '',
    port: 0,
    received: [],
    openedConnections: 0,
    closedConnections: 0,
    close: async () => undefined
  }
  const http: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const url = request.url ?? ''
      started.received.push({ method: request.method ?? '', url, headers: request.headers, body: Buffer.concat(chunks).toString() })
      response.setHeader('Keep-Alive', 'timeout=600')
      answer(request, response)
    })
  })
  http.on('connection', (socket: Socket) => {
    sockets.add(socket)
    started.openedConnections++
    socket.on('close', () => {
      sockets.delete(socket)
      started.closedConnections++
    })
  })
  // Idle connections stay open for minutes, on both ends (the Keep-Alive header tells the client so), until the
  // client closes them.
  http.keepAliveTimeout = 0
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  started.port = (http.address() as AddressInfo).port
  started.origin = `http://127.0.0.1:${started.port}`
  started.close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => http.close(() => resolve()))
  }
  return started
}

function newTransport(options: Omit<HttpTransportOptions, 'userAgent'> = {}): HttpTransport {
  transport = new HttpTransport({ userAgent: 'wait-for-memos-task/test', ...options })
  return transport
}

function get(path: string, origin = server?.origin ?? ''): HttpRequest {
  return { method: 'GET', url: new URL(path, origin), headers: { Accept: 'application/json' } }
}

const open = (timeoutMs = 2000, signal = new AbortController().signal): { timeoutMs: number; signal: AbortSignal } => ({
  timeoutMs,
  signal
})

describe('a complete answer', () => {
  it('sends the method, the headers, the body and its own user agent, and hands back status, headers and body', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(201, { 'Content-Type': 'application/json', 'X-RateLimit-Remaining': '7' })
      response.end('{"code":0}')
    })
    const result = await newTransport({ now: () => 1_700_000_000_000 }).send(
      { method: 'POST', url: new URL('/product/add?x=1', server.origin), headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' },
      open()
    )
    expect(result).toEqual({
      kind: 'response',
      parts: {
        httpStatus: 201,
        headers: expect.objectContaining({ 'content-type': 'application/json', 'x-ratelimit-remaining': '7' }),
        body: '{"code":0}',
        nowMs: 1_700_000_000_000
      }
    })
    expect(server.received).toEqual([
      {
        method: 'POST',
        url: '/product/add?x=1',
        headers: expect.objectContaining({ 'content-type': 'application/json', 'user-agent': 'wait-for-memos-task/test' }),
        body: '{"a":1}'
      }
    ])
  })

  it('stamps each answer with the time it was read, from the real clock when none is given', async () => {
    server = await startServer((_request, response) => response.end('{}'))
    const before = Date.now()
    const result = await newTransport().send(get('/'), open())
    const nowMs = result.kind === 'response' ? result.parts.nowMs : Number.NaN
    expect(nowMs).toBeGreaterThanOrEqual(before)
    expect(nowMs).toBeLessThanOrEqual(Date.now())
  })

  it('hands back a redirect as it is, without following it', async () => {
    server = await startServer((request, response) => {
      if (request.url === '/old') response.writeHead(301, { Location: '/new' }).end()
      else response.end('{"moved":"here"}')
    })
    const result = await newTransport().send(get('/old'), open())
    expect(result).toMatchObject({ kind: 'response', parts: { httpStatus: 301, headers: { location: '/new' }, body: '' } })
    expect(server.received.map((request) => request.url)).toEqual(['/old'])
  })

  it('keeps its connections alive across requests, and close() ends them, and a stream still open', async () => {
    server = await startServer((request, response) => {
      if (request.url === '/stream') response.writeHead(200, { 'Content-Type': 'text/event-stream' }).flushHeaders()
      else response.end('{}')
    })
    const http = newTransport()
    for (let i = 0; i < 3; i++) expect(await http.send(get('/'), open())).toMatchObject({ kind: 'response' })
    expect(await http.openStream(get('/stream'), open())).toMatchObject({ kind: 'response', httpStatus: 200 })
    expect(server.closedConnections).toBe(0)
    http.close()
    await until(() => server?.closedConnections === server?.openedConnections, 'every connection closed')
  })
})

describe('the body size limit', () => {
  const limit = 1024

  it('takes a body of exactly the limit', async () => {
    server = await startServer((_request, response) => response.end('x'.repeat(limit)))
    const result = await newTransport({ maxBodyBytes: limit }).send(get('/'), open())
    expect(result.kind === 'response' && result.parts.body).toHaveLength(limit)
  })

  it('refuses a body one byte over the limit, as a problem worth retrying', async () => {
    server = await startServer((_request, response) => response.writeHead(502).end('x'.repeat(limit + 1)))
    expect(await newTransport({ maxBodyBytes: limit }).send(get('/'), open())).toEqual({
      kind: 'failed',
      outcome: { kind: 'transient', reason: 'response larger than 1024 bytes (HTTP 502)', problem: 'response too large', throttled: false }
    })
  })

  it('stops reading a body that never ends once it passes the limit', async () => {
    server = await startServer((_request, response) => {
      const chunk = 'x'.repeat(16 * 1024)
      const more = (): void => {
        if (!response.destroyed) response.write(chunk, () => setImmediate(more))
      }
      more()
    })
    const result = await newTransport({ maxBodyBytes: limit }).send(get('/'), open(5000))
    expect(result).toMatchObject({ kind: 'failed', outcome: { reason: 'response larger than 1024 bytes (HTTP 200)' } })
  })

  it('is 16 MiB unless set', async () => {
    const body = Buffer.alloc(16 * 1024 * 1024, 'x')
    server = await startServer((request, response) =>
      response.end(request.url === '/over' ? Buffer.concat([body, Buffer.from('x')]) : body)
    )
    const http = newTransport()
    const atLimit = await http.send(get('/at'), open(20_000))
    expect(atLimit.kind === 'response' && atLimit.parts.body.length).toBe(16 * 1024 * 1024)
    expect(await http.send(get('/over'), open(20_000))).toMatchObject({
      kind: 'failed',
      outcome: { reason: 'response larger than 16777216 bytes (HTTP 200)', problem: 'response too large' }
    })
  })
})

describe("headers over the limit (16 KiB, Node's and undici's both)", () => {
  /** Answers with these raw bytes, bypassing Node's own checks on what a server sends. */
  const raw = (bytes: string) => (request: IncomingMessage) => void request.socket.end(bytes)
  /** Header lines without end, as fast as the client reads them. */
  const endless = (request: IncomingMessage): void => {
    const socket = request.socket
    socket.write('HTTP/1.1 200 OK\r\n')
    const lines = 'X-Again: and again\r\n'.repeat(1000)
    const more = (): void => {
      while (!socket.destroyed) if (!socket.write(lines)) return void socket.once('drain', more)
    }
    more()
  }
  const overflowing: Array<[string, (request: IncomingMessage) => void]> = [
    ['one header of 1 MB', raw(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(1024 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`)],
    [
      'a Retry-After of 1 MB',
      raw(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${'9'.repeat(1024 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`)
    ],
    ['header lines that never end', endless]
  ]
  const tooLarge = (code: string): unknown => ({
    kind: 'failed',
    outcome: {
      kind: 'transient',
      reason: `response headers larger than 16384 bytes (${code})`,
      problem: 'response too large',
      throttled: false
    }
  })

  it.each(overflowing)('a complete answer with %s is too large: worth retrying, and the server was reached', async (_name, answer) => {
    server = await startServer(answer)
    expect(await newTransport().send(get('/'), open(10_000))).toEqual(tooLarge('UND_ERR_HEADERS_OVERFLOW'))
  })

  it.each(overflowing)('the event stream with %s is too large, and its connection closed', async (_name, answer) => {
    server = await startServer(answer)
    expect(await newTransport().openStream(get('/'), open(10_000))).toEqual(tooLarge('HPE_HEADER_OVERFLOW'))
    await until(() => server?.closedConnections === 1)
  })

  it('takes headers of 15 KiB, on both', async () => {
    server = await startServer((request, response) => {
      const type = request.url === '/stream' ? 'text/event-stream' : 'application/json'
      response.writeHead(200, { 'Content-Type': type, 'X-Big': 'a'.repeat(15 * 1024) }).end('{}')
    })
    const http = newTransport()
    expect(await http.send(get('/'), open())).toMatchObject({ kind: 'response', parts: { httpStatus: 200, body: '{}' } })
    const stream = await http.openStream(get('/stream'), open())
    expect(stream).toMatchObject({ kind: 'response', httpStatus: 200 })
    if (stream.kind === 'response') stream.body.destroy()
  })
})

describe('no answer in time, and answers cut short', () => {
  it('gives up on a server that never answers after the request timeout', async () => {
    server = await startServer(() => undefined)
    expect(await newTransport().send(get('/'), open(300))).toEqual({
      kind: 'failed',
      outcome: {
        kind: 'transient',
        reason: 'no response within 300ms',
        problem: 'no response in time',
        unreached: `127.0.0.1:${server.port}`,
        throttled: false
      }
    })
  })

  it('counts the time to read the body too: headers at once and then silence is no answer in time', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.write('{"code":')
    })
    expect(await newTransport().send(get('/'), open(300))).toMatchObject({
      kind: 'failed',
      outcome: { reason: 'no response within 300ms', problem: 'no response in time' }
    })
  })

  it.each([
    ['before the response', (request: IncomingMessage): void => void request.socket.destroy()],
    [
      'in the middle of the body',
      (_request: IncomingMessage, response: ServerResponse): void => {
        response.writeHead(200, { 'Content-Length': '1000', 'Content-Type': 'application/json' })
        response.write('{"code":', () => response.socket?.destroy())
      }
    ]
  ])('a connection closed %s is a closed connection, retried', async (_name, answer) => {
    server = await startServer(answer)
    expect(await newTransport().send(get('/'), open())).toEqual({
      kind: 'failed',
      outcome: {
        kind: 'transient',
        reason: `connection closed (127.0.0.1:${server.port}, UND_ERR_SOCKET)`,
        problem: 'connection closed',
        unreached: `127.0.0.1:${server.port}`,
        throttled: false
      }
    })
  })

  it('a refused connection names the address and port', async () => {
    server = await startServer(() => undefined)
    const { origin, port } = server
    await server.close()
    server = undefined
    expect(await newTransport().send(get('/', origin), open())).toMatchObject({
      kind: 'failed',
      outcome: { kind: 'transient', reason: `connection refused (127.0.0.1:${port}, ECONNREFUSED)`, hint: 'a server may still be starting' }
    })
  })
})

describe("the caller's abort", () => {
  it('throws at once, before anything is sent, when the signal is already aborted', async () => {
    server = await startServer((_request, response) => response.end('{}'))
    const cancelled = new AbortController()
    cancelled.abort()
    const http = newTransport()
    await expect(http.send(get('/'), open(2000, cancelled.signal))).rejects.toBeInstanceOf(RequestAbortedError)
    await expect(http.openStream(get('/'), open(2000, cancelled.signal))).rejects.toBeInstanceOf(RequestAbortedError)
    await sleep(100)
    expect(server.received).toEqual([])
  })

  it('throws while the request waits for its answer, long before the timeout', async () => {
    server = await startServer(() => undefined)
    const cancel = new AbortController()
    setTimeout(() => cancel.abort(), 100)
    const started = Date.now()
    await expect(newTransport().send(get('/'), open(30_000, cancel.signal))).rejects.toBeInstanceOf(RequestAbortedError)
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it('leaves no listener on the signal and no timer behind once a request is done', async () => {
    server = await startServer((request, response) => {
      if (request.url === '/stream') response.writeHead(200, { 'Content-Type': 'text/event-stream' }).flushHeaders()
      else response.end('{}')
    })
    const signal = new AbortController().signal
    const timers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
    const http = newTransport()
    const before = timers()
    for (let i = 0; i < 3; i++) await http.send(get('/'), open(60_000, signal))
    const stream = await http.openStream(get('/stream'), open(60_000, signal))
    expect(stream.kind).toBe('response')
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
    // Another test's timer may end meanwhile, so the count may drop; a timer left per request would raise it by 4.
    expect(timers()).toBeLessThanOrEqual(before)
    if (stream.kind === 'response') stream.body.destroy()
  })
})

describe('the event stream', () => {
  it('hands over status, headers and the body as it arrives, with its own user agent', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/event-stream' })
      response.write('data: {"status":"running"}\n\n')
    })
    const stream = await newTransport().openStream(
      { method: 'GET', url: new URL('/scheduler/wait/stream?user_name=ci', server.origin), headers: { Accept: 'text/event-stream' } },
      open()
    )
    if (stream.kind !== 'response') throw new Error(`no stream: ${JSON.stringify(stream)}`)
    expect(stream.httpStatus).toBe(200)
    expect(stream.headers['content-type']).toBe('text/event-stream')
    const [first] = (await stream.body.take(1).toArray()) as Buffer[]
    expect(String(first)).toBe('data: {"status":"running"}\n\n')
    stream.body.destroy()
    expect(server.received).toEqual([
      {
        method: 'GET',
        url: '/scheduler/wait/stream?user_name=ci',
        headers: expect.objectContaining({ accept: 'text/event-stream', 'user-agent': 'wait-for-memos-task/test' }),
        body: ''
      }
    ])
  })

  it('gives up waiting for the headers after its timeout, and closes the connection', async () => {
    server = await startServer(() => undefined)
    expect(await newTransport().openStream(get('/'), open(300))).toEqual({
      kind: 'failed',
      outcome: {
        kind: 'transient',
        reason: 'no response within 300ms',
        problem: 'no response in time',
        unreached: `127.0.0.1:${server.port}`,
        throttled: false
      }
    })
    await until(() => server?.closedConnections === 1, 'the connection closed')
  })

  it("throws on the caller's abort while it waits for the headers", async () => {
    server = await startServer(() => undefined)
    const cancel = new AbortController()
    setTimeout(() => cancel.abort(), 100)
    await expect(newTransport().openStream(get('/'), open(30_000, cancel.signal))).rejects.toBeInstanceOf(RequestAbortedError)
    await until(() => server?.closedConnections === 1, 'the connection closed')
  })

  it('leaves no listener on the signal and no timer behind, however the wait for the headers ends', async () => {
    server = await startServer((request) => {
      if (request.url === '/reset') request.socket.destroy()
    })
    const timers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
    const http = newTransport()
    const signal = new AbortController().signal
    const before = timers()
    expect(await http.openStream(get('/hang'), open(200, signal))).toMatchObject({
      kind: 'failed',
      outcome: { problem: 'no response in time' }
    })
    expect(await http.openStream(get('/reset'), open(60_000, signal))).toMatchObject({ kind: 'failed', outcome: { kind: 'transient' } })
    const cancel = new AbortController()
    const aborted = http.openStream(get('/hang'), open(60_000, cancel.signal))
    cancel.abort()
    await expect(aborted).rejects.toBeInstanceOf(RequestAbortedError)
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
    expect(getEventListeners(cancel.signal, 'abort')).toHaveLength(0)
    // Another test's timer may end meanwhile, so the count may drop; a 60 s timer left behind would raise it.
    expect(timers()).toBeLessThanOrEqual(before)
  })

  it('classifies a connection closed before the headers', async () => {
    server = await startServer((request) => void request.socket.destroy())
    expect(await newTransport().openStream(get('/'), open())).toMatchObject({
      kind: 'failed',
      outcome: { kind: 'transient', reason: `connection reset (127.0.0.1:${server.port}, ECONNRESET)` }
    })
  })
})

describe('through a proxy (HTTP_PROXY), and over TLS', () => {
  isolateProxyEnvironment()

  /** The server under a name that is not loopback, so that the proxy applies (the proxy maps it to 127.0.0.1). */
  const viaName = (testServer: TestServer): string => `http://memos.localhost:${testServer.port}`

  it('sends requests and the stream through the proxy, and close() ends every tunnel', async () => {
    server = await startServer((request, response) => {
      if (request.url === '/stream') response.writeHead(200, { 'Content-Type': 'text/event-stream' }).flushHeaders()
      else response.end('{}')
    })
    proxy = await startConnectProxy()
    process.env.HTTP_PROXY = proxy.url
    const http = newTransport()
    expect(await http.send(get('/', viaName(server)), open())).toMatchObject({ kind: 'response', parts: { httpStatus: 200 } })
    expect(await http.send(get('/', viaName(server)), open())).toMatchObject({ kind: 'response', parts: { httpStatus: 200 } })
    const stream = await http.openStream(get('/stream', viaName(server)), open())
    expect(stream).toMatchObject({ kind: 'response', httpStatus: 200 })
    expect(new Set(proxy.tunnels)).toEqual(new Set([`memos.localhost:${server.port}`]))
    expect(server.closedConnections).toBe(0)
    // As the wait stream does when it closes; the stream's tunnel then closes with it.
    if (stream.kind === 'response') stream.body.destroy()
    http.close()
    await until(() => server?.closedConnections === server?.openedConnections, 'every connection closed')
  })

  it('names the proxy when it refuses connections', async () => {
    server = await startServer((_request, response) => response.end('{}'))
    proxy = await startConnectProxy()
    const proxyPort = new URL(proxy.url).port
    await proxy.close()
    proxy = undefined
    process.env.HTTP_PROXY = `http://127.0.0.1:${proxyPort}`
    expect(await newTransport().send(get('/', viaName(server)), open())).toEqual({
      kind: 'failed',
      outcome: {
        kind: 'transient',
        reason: `connection refused (the proxy 127.0.0.1:${proxyPort}, ECONNREFUSED)`,
        problem: 'connection refused',
        hint: 'check HTTPS_PROXY / HTTP_PROXY',
        unreached: `memos.localhost:${server.port}`,
        throttled: false
      }
    })
  })

  it('leaves the credentials of the proxy URL out of what it says', async () => {
    server = await startServer((_request, response) => response.end('{}'))
    proxy = await startConnectProxy({ credentials: { user: 'ci', password: 'right' } })
    process.env.HTTP_PROXY = proxy.url.replace('//', '//ci:wr0ng-s3cret@')
    const result = await newTransport().send(get('/', viaName(server)), open())
    expect(result).toMatchObject({
      kind: 'failed',
      outcome: { kind: 'fatal', reason: expect.stringMatching(/^The proxy 127\.0\.0\.1:\d+ refused/) }
    })
    expect(JSON.stringify(result)).not.toContain('wr0ng-s3cret')
  })

  describe('https', () => {
    let ca: CertificateAuthority
    beforeAll(() => (ca = makeCertificateAuthority()))
    afterAll(() => ca.dispose())

    it('opens the stream over TLS for an https:// URL, and judges the certificate', async () => {
      server = await startServer((_request, response) => response.writeHead(200, { 'Content-Type': 'text/event-stream' }).flushHeaders())
      front = await startTlsFront(server.port, ca.issue(['127.0.0.1']))
      const stream = await newTransport().openStream(get('/stream', `https://127.0.0.1:${front.port}`), open())
      expect(stream).toMatchObject({
        kind: 'failed',
        outcome: {
          kind: 'fatal',
          reason: expect.stringMatching(/^The certificate of 127\.0\.0\.1:\d+ is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: /)
        }
      })
      expect(front.handshakes).toBe(0)
    })

    it('opens the stream over TLS through the proxy too (HTTPS_PROXY), and judges the certificate', async () => {
      server = await startServer((_request, response) => response.writeHead(200, { 'Content-Type': 'text/event-stream' }).flushHeaders())
      front = await startTlsFront(server.port, ca.issue(['memos.localhost']))
      proxy = await startConnectProxy()
      process.env.HTTPS_PROXY = proxy.url
      const stream = await newTransport().openStream(get('/stream', `https://memos.localhost:${front.port}`), open())
      expect(stream).toMatchObject({
        kind: 'failed',
        outcome: {
          kind: 'fatal',
          reason: expect.stringMatching(/^The certificate of memos\.localhost:\d+ is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: /)
        }
      })
      expect(proxy.tunnels).toEqual([`memos.localhost:${front.port}`])
    })
  })
})
