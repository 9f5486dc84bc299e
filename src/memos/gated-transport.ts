/**
 * Every request to the server passes here, whatever its kind: the step's one request gate admits it, and its
 * answer teaches the gate (the `X-RateLimit-*` budget, a 429 and its `Retry-After`). The server counts a status
 * poll and a wait-stream open alike, so neither caller keeps a budget of its own.
 */
import type { HttpRequest, HttpTransport, ResponseParts, StreamResult } from '../http/transport.js'
import type { Clock } from '../shared/clock.js'
import type { RequestOptions, StatusOutcome } from '../shared/outcome.js'
import type { RequestGate } from '../wait/request-gate.js'
import { parseRateBudget, parseRetryAfter } from './response-parts.js'

export class GatedTransport {
  constructor(
    private readonly transport: HttpTransport,
    readonly gate: RequestGate,
    private readonly clock: Clock
  ) {}

  /** One request, admitted by the gate, its answer classified by the API client that sent it. */
  send(request: HttpRequest, options: RequestOptions, classify: (parts: ResponseParts) => StatusOutcome): Promise<StatusOutcome> {
    return this.gate.send(options, async () => {
      const answer = await this.transport.send(request, options)
      return answer.kind === 'failed' ? answer.outcome : classify(answer.parts)
    })
  }

  /**
   * A long-lived GET (the wait stream), admitted by the gate as a spare request: the polls work without it, so it
   * never takes a request kept for a final poll. Its headers teach the gate too.
   */
  async openStream(request: HttpRequest, options: RequestOptions): Promise<StreamResult> {
    const startedAt = await this.gate.acquire('spare', options.signal)
    const answer = await this.transport.openStream(request, options)
    if (answer.kind === 'response') {
      const now = this.clock.now()
      const budget = parseRateBudget(answer.headers, answer.nowMs)
      if (budget) this.gate.observeBudget(budget, startedAt, now)
      if (answer.httpStatus === 429) this.gate.throttle(now, parseRetryAfter(answer.headers['retry-after'], answer.nowMs))
    }
    return answer
  }

  close(): void {
    this.transport.close()
  }
}
