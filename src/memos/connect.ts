import type { ServerSource } from '../http/network-errors.js'
import { HttpTransport } from '../http/transport.js'
import type { Settings } from '../settings/settings.js'
import { type Clock, systemClock } from '../shared/clock.js'
import type { Log } from '../shared/log.js'
import type { HintSource, StatusSource } from '../wait/ports.js'
import { RequestGate } from '../wait/request-gate.js'
import { CloudClient } from './cloud-client.js'
import { GatedTransport } from './gated-transport.js'
import { SelfHostedClient } from './self-hosted-client.js'
import { WaitStream } from './wait-stream.js'

/** A status source for the chosen API, with the words the log and the summary use for it. */
export interface ApiConnection {
  /** Its requests pass `gate`. */
  source: StatusSource
  /** The one request budget of the step: the status requests and the wait stream both pass it. */
  gate: RequestGate
  /** "MemOS Cloud (memos.memtensor.cn)" or "the self-hosted MemOS server at localhost:8000". */
  serverName: string
  /** The request, for the debug log: "POST https://…/get/status". */
  endpoint: string
  /** Signals to look now, where the API has them (the self-hosted wait stream, unless `stream` is off). */
  hints?: HintSource
  /** Closes kept-alive connections so the process can exit at once. */
  close(): void
}

/** Without `baseUrlSource` (a caller that names the server itself), messages blame the `base_url` input. */
export function connect(
  settings: Pick<Settings, 'api' | 'baseUrl' | 'apiKey' | 'userId' | 'stream' | 'maxRequestsPerSecond'> &
    Partial<Pick<Settings, 'baseUrlSource'>>,
  userAgent: string,
  log: Log,
  clock: Clock = systemClock
): ApiConnection {
  const source = settings.baseUrlSource ?? 'input'
  const serverSource: ServerSource = source === 'default' ? { kind: 'default', api: settings.api } : { kind: source }
  const gate = new RequestGate(settings.maxRequestsPerSecond, clock)
  const transport = new GatedTransport(new HttpTransport({ userAgent, clock, serverSource }), gate, clock)
  const host = new URL(settings.baseUrl).host
  const close = (): void => transport.close()
  if (settings.api === 'self-hosted') {
    const { baseUrl, apiKey, userId } = settings
    return {
      source: new SelfHostedClient({ baseUrl, apiKey, userId, transport }),
      gate,
      hints: settings.stream ? new WaitStream({ baseUrl, apiKey, userId, transport, log, clock }) : undefined,
      serverName: `the self-hosted MemOS server at ${host}`,
      endpoint: `GET ${settings.baseUrl}/scheduler/status`,
      close
    }
  }
  return {
    source: new CloudClient({ baseUrl: settings.baseUrl, apiKey: settings.apiKey, transport }),
    gate,
    serverName: `MemOS Cloud (${host})`,
    endpoint: `POST ${settings.baseUrl}/get/status`,
    close
  }
}
