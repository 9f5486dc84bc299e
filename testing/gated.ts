/** A transport behind a gate of its own, for tests of one client or the wait stream without the whole connection. */
import type { HttpTransport } from '../src/http/transport.js'
import { GatedTransport } from '../src/memos/gated-transport.js'
import { systemClock } from '../src/shared/clock.js'
import { RequestGate } from '../src/wait/request-gate.js'

/** `http` behind a gate that allows `cap` requests a second (default: so many that it never holds one back). */
export function gated(http: HttpTransport, cap = 1000): GatedTransport {
  return new GatedTransport(http, new RequestGate(cap, systemClock), systemClock)
}
