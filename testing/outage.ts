/**
 * A gateway in front of the simulator that goes down for a while: during the outage it answers every request
 * with one HTTP error (a 503 by default), before and after it passes requests through.
 */
import { Agent, createServer, request as httpRequest } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface OutageGateway {
  /** The simulator's base URL, through this gateway. */
  baseUrl: string
  /** Requests answered with the outage's error. */
  failed: number
  /** Starts the outage now, for this long. */
  goDown(forMs: number): void
  close(): Promise<void>
}

export interface OutageOptions {
  status?: number
  contentType?: string
  body?: string
}

export async function startOutageGateway(simulatorBaseUrl: string, options: OutageOptions = {}): Promise<OutageGateway> {
  const target = new URL(simulatorBaseUrl)
  const agent = new Agent({ keepAlive: true })
  const sockets = new Set<Socket>()
  let downUntil = 0
  const gateway: OutageGateway = {
    baseUrl: '',
    failed: 0,
    goDown: (forMs) => (downUntil = Date.now() + forMs),
    close: async () => undefined
  }
  const server = createServer((incoming, outgoing) => {
    if (Date.now() < downUntil) {
      gateway.failed++
      incoming.resume()
      outgoing.writeHead(options.status ?? 503, { 'Content-Type': options.contentType ?? 'text/plain' })
      outgoing.end(options.body ?? 'service unavailable')
      return
    }
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers, agent },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      }
    )
    upstream.on('error', () => outgoing.destroy())
    incoming.pipe(upstream)
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  gateway.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`
  gateway.close = async () => {
    for (const socket of sockets) socket.destroy()
    agent.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return gateway
}
