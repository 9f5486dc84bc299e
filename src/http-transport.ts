import * as http from 'node:http'
import * as https from 'node:https'
import { HttpClient } from '@actions/http-client'
import type { ResponseParts } from './response-parts.js'
import { RequestAbortedError, type RequestOptions, type StatusOutcome } from './status-source.js'

/** One request, as a client builds it. */
export interface HttpRequest {
  method: 'GET' | 'POST'
  url: URL
  headers: Record<string, string>
  body?: string
}

/** A complete answer from the server, or a network failure already classified. */
export type HttpResult = { kind: 'response'; parts: ResponseParts } | { kind: 'failed'; outcome: StatusOutcome }

/** A long-lived answer (an event stream): its status and headers, and its body as it arrives. */
export type StreamResult =
  | { kind: 'response'; httpStatus: number; headers: http.IncomingHttpHeaders; body: AsyncIterable<Buffer> }
  | { kind: 'failed'; outcome: StatusOutcome }

export interface HttpTransportOptions {
  userAgent: string
  /** Bodies larger than this are cut off and treated as malformed, so a broken gateway cannot exhaust memory. */
  maxBodyBytes?: number
  now?: () => number
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

/** Network failures: all worth retrying, except a certificate the runner will never trust. */
export function classifyNetworkError(error: unknown, timeoutMs: number, timedOut: boolean): StatusOutcome {
  if (timedOut) return { kind: 'transient', reason: `no response within ${timeoutMs}ms`, throttled: false }
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? ''
  const message = error instanceof Error ? error.message : String(error)
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code)) {
    return { kind: 'fatal', scope: 'run', reason: `TLS error talking to MemOS (${code}: ${message}); check 'base_url' and any proxy.` }
  }
  return { kind: 'transient', reason: `network error (${code ? `${code}: ` : ''}${message})`, throttled: false }
}

/**
 * The HTTP layer both API clients share: one request with its own timeout and abort, a body size limit,
 * and kept-alive connections. It sends with Node's http module so that each request can be aborted and
 * timed out on its own, and takes its connection agent from @actions/http-client, which applies
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
 */
export class HttpTransport {
  private readonly http: HttpClient
  private readonly userAgent: string
  private readonly maxBodyBytes: number
  private readonly now: () => number

  constructor(options: HttpTransportOptions) {
    this.http = new HttpClient(options.userAgent, [], { keepAlive: true })
    this.userAgent = options.userAgent
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    this.now = options.now ?? Date.now
  }

  async send(request: HttpRequest, { timeoutMs, signal }: RequestOptions): Promise<HttpResult> {
    if (signal.aborted) throw new RequestAbortedError()
    const transport = request.url.protocol === 'https:' ? https : http
    const agent = this.http.getAgent(request.url.href)
    const headers: http.OutgoingHttpHeaders = { ...request.headers, 'User-Agent': this.userAgent }
    if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body)

    return new Promise<HttpResult>((resolve, reject) => {
      let settled = false
      let timedOut = false
      const finish = (settle: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        settle()
      }
      const failed = (error: unknown): void =>
        finish(() => resolve({ kind: 'failed', outcome: classifyNetworkError(error, timeoutMs, timedOut) }))
      const outgoing = transport.request(request.url, { method: request.method, agent, headers })
      const onAbort = (): void => {
        finish(() => reject(new RequestAbortedError()))
        outgoing.destroy()
      }
      const timer = setTimeout(() => {
        timedOut = true
        outgoing.destroy(new Error('request timed out'))
      }, timeoutMs)
      signal.addEventListener('abort', onAbort, { once: true })

      outgoing.on('error', failed)
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > this.maxBodyBytes) {
            const reason = `response larger than ${this.maxBodyBytes} bytes (HTTP ${response.statusCode})`
            finish(() => resolve({ kind: 'failed', outcome: { kind: 'transient', reason, throttled: false } }))
            response.destroy()
            return
          }
          chunks.push(chunk)
        })
        response.on('error', failed)
        response.on('close', () => failed(new Error('connection closed before the response ended')))
        response.on('end', () =>
          finish(() =>
            resolve({
              kind: 'response',
              parts: {
                httpStatus: response.statusCode ?? 0,
                headers: response.headers,
                body: Buffer.concat(chunks).toString('utf8'),
                nowMs: this.now()
              }
            })
          )
        )
      })
      outgoing.end(request.body)
    })
  }

  /**
   * Opens a long-lived GET (Server-Sent Events). `timeoutMs` limits the wait for the headers only; the body
   * then flows until the server ends it or `signal` aborts it, which destroys the connection.
   */
  openStream(request: HttpRequest, { timeoutMs, signal }: RequestOptions): Promise<StreamResult> {
    if (signal.aborted) return Promise.reject(new RequestAbortedError())
    const transport = request.url.protocol === 'https:' ? https : http
    const agent = this.http.getAgent(request.url.href)
    const headers: http.OutgoingHttpHeaders = { ...request.headers, 'User-Agent': this.userAgent }
    return new Promise<StreamResult>((resolve, reject) => {
      let timedOut = false
      let answered = false
      const outgoing = transport.request(request.url, { method: request.method, agent, headers })
      const onAbort = (): void => {
        outgoing.destroy()
        if (!answered) reject(new RequestAbortedError())
      }
      const timer = setTimeout(() => {
        timedOut = true
        outgoing.destroy(new Error('request timed out'))
      }, timeoutMs)
      signal.addEventListener('abort', onAbort, { once: true })
      outgoing.on('error', (error) => {
        clearTimeout(timer)
        if (answered) return
        answered = true
        signal.removeEventListener('abort', onAbort)
        resolve({ kind: 'failed', outcome: classifyNetworkError(error, timeoutMs, timedOut) })
      })
      outgoing.on('response', (response) => {
        clearTimeout(timer)
        answered = true
        response.on('close', () => signal.removeEventListener('abort', onAbort))
        resolve({ kind: 'response', httpStatus: response.statusCode ?? 0, headers: response.headers, body: response })
      })
      outgoing.end()
    })
  }

  /** Closes kept-alive connections so the process can exit at once. */
  close(): void {
    this.http.dispose()
    // dispose() destroys only the direct agent; a kept-alive tunnel through a proxy would hold the process open.
    const proxyAgent = (this.http as unknown as { _proxyAgent?: { destroy?: () => void } })._proxyAgent
    proxyAgent?.destroy?.()
  }
}
