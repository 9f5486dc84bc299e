import * as http from 'node:http'
import * as https from 'node:https'
import { HttpClient, getProxyUrl } from '@actions/http-client'
import { Agent, type Dispatcher, request as undiciRequest } from 'undici'
import { classifyNetworkError, type NetworkContext, noResponseOutcome, type ServerSource } from './network-errors.js'
import { type Clock, systemClock } from '../shared/clock.js'
import { RequestAbortedError, type RequestOptions, type FailureOutcome } from '../shared/outcome.js'

/** One request, as a client builds it. */
export interface HttpRequest {
  method: 'GET' | 'POST'
  url: URL
  headers: Record<string, string>
  body?: string
}

/** A complete answer, as the API clients read it. */
export interface ResponseParts {
  httpStatus: number
  headers: http.IncomingHttpHeaders
  body: string
  /** Wall-clock milliseconds when it arrived: for a Retry-After date, and an X-RateLimit-Reset in unix time. */
  nowMs: number
}

/** A complete answer from the server, or a network failure already classified. */
export type HttpResult = { kind: 'response'; parts: ResponseParts } | { kind: 'failed'; outcome: FailureOutcome }

/** A long-lived answer (an event stream): its status and headers, and its body as it arrives. */
export type StreamResult =
  | {
      kind: 'response'
      httpStatus: number
      headers: http.IncomingHttpHeaders
      body: http.IncomingMessage
      /** Wall-clock milliseconds when the headers arrived (see ResponseParts). */
      nowMs: number
    }
  | { kind: 'failed'; outcome: FailureOutcome }

export interface HttpTransportOptions {
  userAgent: string
  /** Bodies larger than this are cut off and retried as 'response too large', so a broken gateway cannot exhaust memory. */
  maxBodyBytes?: number
  /**
   * PEM certificates to trust instead of Node's own list, for direct connections. Users add a private CA with
   * NODE_EXTRA_CA_CERTS, which covers proxied connections too; this is for embedding and tests.
   */
  trustedCertificates?: string
  /** The request timeouts' timers. */
  clock?: Clock
  /** Wall-clock milliseconds, for a Retry-After date or an X-RateLimit-Reset in unix time. */
  now?: () => number
  /** Who chose the server, for messages; absent: the `base_url` input. */
  serverSource?: ServerSource
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

/** Why the request's own controller aborted it. */
const TIMED_OUT = Symbol('timed out')

/**
 * The HTTP layer both API clients share: one request with its own timeout and abort, a body size limit, and
 * connections kept alive across polls. Requests go through undici: directly on an own keep-alive agent, or,
 * when HTTPS_PROXY / HTTP_PROXY apply (NO_PROXY respected), on the proxy agent @actions/http-client hands
 * out, which keeps its CONNECT tunnel open between polls as well.
 */
export class HttpTransport {
  private readonly proxies: HttpClient
  private readonly direct: Agent
  /** The proxy agent in use, once a request has gone through a proxy. */
  private proxyAgent: Dispatcher | undefined
  private readonly userAgent: string
  private readonly maxBodyBytes: number
  private readonly now: () => number
  private readonly clock: Clock
  private readonly serverSource: ServerSource | undefined

  constructor(options: HttpTransportOptions) {
    this.proxies = new HttpClient(options.userAgent, [], { keepAlive: true })
    // Without certificates of its own (undefined), TLS trusts Node's list.
    this.direct = new Agent({ connect: { ca: options.trustedCertificates } })
    this.userAgent = options.userAgent
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    this.now = options.now ?? Date.now
    this.clock = options.clock ?? systemClock
    this.serverSource = options.serverSource
  }

  async send(request: HttpRequest, options: RequestOptions): Promise<HttpResult> {
    return this.exchange(request, options, async (response): Promise<HttpResult> => {
      const body = await this.readBody(response.body)
      if (body === undefined) {
        const reason = `response larger than ${this.maxBodyBytes} bytes (HTTP ${response.statusCode})`
        return { kind: 'failed', outcome: { kind: 'transient', reason, problem: 'response too large', throttled: false } }
      }
      return { kind: 'response', parts: { httpStatus: response.statusCode, headers: response.headers, body, nowMs: this.now() } }
    })
  }

  /**
   * Opens a long-lived GET (Server-Sent Events). `timeoutMs` limits the wait for the headers only; the body then
   * flows until the server ends it or the caller destroys it. It goes through Node's own http module (with
   * http-client's agent, which applies HTTPS_PROXY / HTTP_PROXY / NO_PROXY) rather than undici: Node parses HTTP
   * natively, while a stream read through undici makes its WebAssembly parser hot, and on Node 24 the process
   * then waits about 50 ms at exit for V8 to finish optimising it.
   */
  openStream(request: HttpRequest, { timeoutMs, signal }: RequestOptions): Promise<StreamResult> {
    if (signal.aborted) return Promise.reject(new RequestAbortedError())
    const context = this.context(request.url)
    const transport = request.url.protocol === 'https:' ? https : http
    const agent = this.proxies.getAgent(request.url.href)
    const headers: http.OutgoingHttpHeaders = { ...request.headers, 'user-agent': this.userAgent }
    return new Promise<StreamResult>((resolve, reject) => {
      const outgoing = transport.request(request.url, { method: request.method, agent, headers })
      const settle = (): void => {
        cancelTimer()
        signal.removeEventListener('abort', onAbort)
      }
      const onAbort = (): void => {
        // Stryker disable next-line CallExpression: destroy() below makes the request emit 'error', whose handler settles too.
        settle()
        outgoing.destroy()
        reject(new RequestAbortedError())
      }
      const cancelTimer = this.clock.setTimer(timeoutMs, () => {
        // Stryker disable next-line CallExpression: destroy() below makes the request emit 'error', whose handler settles too.
        settle()
        outgoing.destroy()
        resolve({ kind: 'failed', outcome: noResponseOutcome(timeoutMs, context) })
      })
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts only once, and settle() removes the listener.
      signal.addEventListener('abort', onAbort, { once: true })
      // An error after the answer or the abort (the body's own) changes nothing: the promise has settled.
      outgoing.on('error', (error) => {
        settle()
        resolve({ kind: 'failed', outcome: classifyNetworkError(error, context) })
      })
      outgoing.on('response', (response) => {
        settle()
        resolve({ kind: 'response', httpStatus: response.statusCode ?? 0, headers: response.headers, body: response, nowMs: this.now() })
      })
      outgoing.end()
    })
  }

  /**
   * One request with its own timeout and the caller's abort, both in force until `read` is done with the
   * answer; every failure is classified, and only the caller's abort throws.
   */
  private async exchange<T>(
    request: HttpRequest,
    { timeoutMs, signal }: RequestOptions,
    read: (response: Dispatcher.ResponseData) => Promise<T | { kind: 'failed'; outcome: FailureOutcome }>
  ): Promise<T | { kind: 'failed'; outcome: FailureOutcome }> {
    if (signal.aborted) throw new RequestAbortedError()
    const context = this.context(request.url)
    const controller = new AbortController()
    const onAbort = (): void => controller.abort()
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts only once, and the finally removes the listener.
    signal.addEventListener('abort', onAbort, { once: true })
    const cancelTimer = this.clock.setTimer(timeoutMs, () => controller.abort(TIMED_OUT))
    try {
      const response = await undiciRequest(request.url, {
        dispatcher: this.dispatcherFor(request.url),
        method: request.method,
        headers: { ...request.headers, 'user-agent': this.userAgent },
        body: request.body,
        signal: controller.signal
      })
      return await read(response)
    } catch (error) {
      if (signal.aborted) throw new RequestAbortedError()
      if (controller.signal.reason === TIMED_OUT) return { kind: 'failed', outcome: noResponseOutcome(timeoutMs, context) }
      return { kind: 'failed', outcome: classifyNetworkError(error, context) }
    } finally {
      cancelTimer()
      signal.removeEventListener('abort', onAbort)
    }
  }

  /** The proxy's dispatcher when HTTPS_PROXY / HTTP_PROXY apply to the URL, else the direct one. */
  private dispatcherFor(url: URL): Dispatcher {
    const proxyDispatcher = this.proxies.getAgentDispatcher(url.href)
    // http-client keeps one proxy agent for every request (keepAlive), so the first is the one to close.
    this.proxyAgent ??= proxyDispatcher
    return proxyDispatcher ?? this.direct
  }

  /** Closes kept-alive connections and tunnels so the process can exit at once. */
  close(): void {
    const quietly = (dispatcher: Dispatcher | undefined): void => void dispatcher?.destroy().catch(() => undefined)
    quietly(this.direct)
    quietly(this.proxyAgent)
    // The stream's direct agent keeps its connection alive otherwise. Through a proxy, the stream's tunnel agent
    // keeps nothing: it closes each tunnel when its stream ends, and has nothing to destroy.
    this.proxies.dispose()
  }

  /** The whole body as text, or undefined when it passes the size limit (the rest is not read). */
  private async readBody(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length
      // Leaving the loop destroys the body: the rest is not read.
      if (size > this.maxBodyBytes) return undefined
      chunks.push(chunk)
    }
    return Buffer.concat(chunks).toString('utf8')
  }

  /** Host names for messages; the proxy's credentials are left out. */
  private context(url: URL): NetworkContext {
    const proxy = getProxyUrl(url.href)
    const context: NetworkContext = { server: url.host, serverSource: this.serverSource }
    return proxy ? { ...context, proxy: new URL(proxy).host } : context
  }
}
