/**
 * A forward proxy that speaks CONNECT, as corporate proxies do, with or without Basic credentials. Whatever host
 * a tunnel asks for, it connects to 127.0.0.1 on the asked port, so tests never leave the machine.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'

export interface ConnectProxy {
  /** http://127.0.0.1:<port>, without credentials. */
  url: string
  /** The `host:port` of each tunnel opened, in order. */
  tunnels: string[]
  /** CONNECT requests refused for missing or wrong credentials. */
  refused: number
  close(): Promise<void>
}

export interface ConnectProxyOptions {
  /** When given, a tunnel needs `Proxy-Authorization: Basic` with exactly these. */
  credentials?: { user: string; password: string }
}

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined
  const sockets = new Set<Socket>()
  const proxy: ConnectProxy = { url: '', tunnels: [], refused: 0, close: async () => undefined }
  const server: Server = createServer((_request, response) => {
    response.writeHead(405).end('this proxy only tunnels')
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('connect', (request: IncomingMessage, client: Socket) => {
    if (expected !== undefined && request.headers['proxy-authorization'] !== expected) {
      proxy.refused++
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const target = request.url ?? ''
    proxy.tunnels.push(target)
    const port = Number(target.slice(target.lastIndexOf(':') + 1))
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  proxy.close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return proxy
}

const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']

/**
 * For the enclosing describe block: each test starts with no proxy variable set, and the machine's own values
 * come back after the block.
 */
export function isolateProxyEnvironment(): void {
  const saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]))
  beforeEach(() => PROXY_VARIABLES.forEach((name) => delete process.env[name]))
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })
}
