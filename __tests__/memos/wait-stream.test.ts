/**
 * The wait stream on its own, against a scripted server on 127.0.0.1: frames the simulator never sends (a
 * frame that is not JSON, the server's own timeout), answers that are not a stream, a connection that breaks,
 * and the hints, health changes and log lines each gives. The stream's interval is 100 ms.
 */
import { gated } from '../../testing/gated.js'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { HintPlan } from '../../src/wait/ports.js'
import { HttpTransport } from '../../src/http/transport.js'
import { type Clock, systemClock } from '../../src/shared/clock.js'
import { WaitStream } from '../../src/memos/wait-stream.js'
import { type RecordingLog, recordingLog } from '../../testing/harness.js'
import { sleep, until } from '../../testing/until.js'

/** What the server does with the n-th stream request (0 first). */
type Script = (response: ServerResponse, n: number, request: IncomingMessage) => void

interface ScriptedServer {
  baseUrl: string
  port: number
  requests: IncomingMessage[]
  /** When each request arrived, and when each response closed. */
  arrivals: number[]
  ends: number[]
  /** Responses not yet closed, and connections closed. */
  open: number
  closedConnections: number
  close(): Promise<void>
}

async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const sockets = new Set<Socket>()
  const scripted: ScriptedServer = {
    baseUrl: '',
    port: 0,
    requests: [],
    arrivals: [],
    ends: [],
    open: 0,
    closedConnections: 0,
    close: async () => undefined
  }
  const server = createServer((request, response) => {
    scripted.requests.push(request)
    scripted.arrivals.push(Date.now())
    scripted.open++
    response.on('close', () => {
      scripted.open--
      scripted.ends.push(Date.now())
    })
    script(response, scripted.requests.length - 1, request)
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => {
      sockets.delete(socket)
      scripted.closedConnections++
    })
  })
  // Idle connections stay open until the client closes them.
  server.keepAliveTimeout = 0
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  scripted.port = (server.address() as AddressInfo).port
  scripted.baseUrl = `http://127.0.0.1:${scripted.port}/product`
  scripted.close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return scripted
}

const sse = (response: ServerResponse): ServerResponse =>
  response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' })

const send = (response: ServerResponse, frame: unknown): boolean =>
  response.write(`data: ${typeof frame === 'string' ? frame : JSON.stringify(frame)}\n\n`)

/** Sends these frames one interval apart, then keeps the stream open. */
function frames(response: ServerResponse, list: unknown[], everyMs = 100): void {
  sse(response).flushHeaders()
  list.forEach((frame, index) => setTimeout(() => response.destroyed || send(response, frame), index * everyMs))
}

const running = (active: number): Record<string, unknown> => ({ status: 'running', active_tasks: active, user_name: 'ci' })

interface Watched {
  stream: WaitStream
  log: RecordingLog
  /** When each hint came, and what it said finished. */
  hints: number[]
  finished: Array<number | 'all'>
  health: boolean[]
  started: number
}

let server: ScriptedServer | undefined
let watched: Watched | undefined
let transport: HttpTransport | undefined

afterEach(async () => {
  watched?.stream.close()
  transport?.close()
  await server?.close()
  server = watched = transport = undefined
})

/** The system clock, with a record of every timer's length, and a time that a test may stop. */
interface WatchedClock extends Clock {
  timers: number[]
  stoppedAt?: number
}

function watchedClock(): WatchedClock {
  const clock: WatchedClock = {
    timers: [],
    now: () => clock.stoppedAt ?? systemClock.now(),
    setTimer(ms, callback) {
      clock.timers.push(ms)
      return systemClock.setTimer(ms, callback)
    }
  }
  return clock
}

/** The timers that `act` sets, in its own tick. */
function timersSetBy(clock: WatchedClock, act: () => void): number[] {
  const before = clock.timers.length
  act()
  return clock.timers.slice(before)
}

function watch(plan: Partial<HintPlan> = {}, options: { apiKey?: string; baseUrl?: string; clock?: Clock } = {}): Watched {
  transport = new HttpTransport({ userAgent: 'wait-for-memos-task/test' })
  const log = recordingLog()
  const stream = new WaitStream({
    baseUrl: options.baseUrl ?? server?.baseUrl ?? '',
    userId: 'ci',
    apiKey: options.apiKey ?? '',
    transport: gated(transport),
    log,
    clock: options.clock
  })
  const started = Date.now()
  const result: Watched = { stream, log, hints: [], finished: [], health: [], started }
  stream.start(
    {
      hint: (finished) => {
        result.hints.push(Date.now() - started)
        result.finished.push(finished)
      },
      health: (healthy) => result.health.push(healthy)
    },
    { timeLeftMs: 20_000, intervalMs: 100, maxIntervalMs: 400, hintedWaitMs: 6000, runningTasks: () => 2, ...plan }
  )
  watched = result
  return result
}

const notUsable = (log: RecordingLog): string[] =>
  log.lines
    .filter((line) => line.message.startsWith("The server's wait stream is not usable"))
    .map((line) => `${line.level}: ${line.message}`)

describe('the request', () => {
  it('asks for the user, the interval and the whole seconds left, with the key as a bearer token', async () => {
    server = await startScriptedServer((response) => frames(response, []))
    watch({ timeLeftMs: 12_300, intervalMs: 250 }, { apiKey: 'sk-test' })
    await until(() => server?.requests.length === 1, 'the stream request')
    const [request] = server.requests
    const url = new URL(request?.url ?? '', 'http://x')
    expect(url.pathname).toBe('/product/scheduler/wait/stream')
    expect(Object.fromEntries(url.searchParams)).toEqual({ user_name: 'ci', timeout_seconds: '13', poll_interval: '0.25' })
    expect(request?.headers).toMatchObject({ accept: 'text/event-stream', authorization: 'Bearer sk-test' })
  })

  it('sends no Authorization header without a key', async () => {
    server = await startScriptedServer((response) => frames(response, []))
    watch()
    await until(() => server?.requests.length === 1, 'the stream request')
    expect(server.requests[0]?.headers.authorization).toBeUndefined()
  })

  it('is not opened when no more than one interval is left', async () => {
    server = await startScriptedServer((response) => frames(response, []))
    // The clock stands still, so that exactly one interval is left when the stream would open.
    const clock = watchedClock()
    clock.stoppedAt = 0
    watch({ timeLeftMs: 100, intervalMs: 100 }, { clock })
    await sleep(300)
    expect(server.requests).toHaveLength(0)
  })

  it('is opened when a millisecond more than one interval is left', async () => {
    server = await startScriptedServer((response) => frames(response, []))
    const clock = watchedClock()
    clock.stoppedAt = 0
    watch({ timeLeftMs: 101, intervalMs: 100 }, { clock })
    await until(() => server?.requests.length === 1, 'the stream request')
  })
})

describe('frames', () => {
  it('says once that the stream is up, and hints when fewer tasks are active than the step last saw running', async () => {
    // The step saw 2 running; the first frame says 1: one finished before the stream opened.
    server = await startScriptedServer((response) => frames(response, [running(1), running(1), running(2), running(0)]))
    // A long interval, so that no stall can end the stream between frames, however slow the machine.
    const { log, hints, finished, health } = watch({ runningTasks: () => 2, intervalMs: 1000, maxIntervalMs: 1000 })
    await until(() => hints.length === 2, 'two hints')
    await sleep(150)
    expect(hints).toHaveLength(2)
    // Each hint says how many finished: 2 seen running and 1 active, then a drop from 2 to 0.
    expect(finished).toEqual([1, 2])
    // The first frame, and the drop from 2 to 0; neither the same count nor a rise.
    expect(hints[1]! - hints[0]!).toBeGreaterThanOrEqual(250)
    expect(health).toEqual([true])
    expect(log.lines).toEqual([{ level: 'debug', message: 'The wait stream is up: the server will say when a task finishes.' }])
  })

  it('gives no hint for a first frame with as many active tasks as the step saw running', async () => {
    server = await startScriptedServer((response) => frames(response, [running(2), running(2)]))
    const { hints, health } = watch({ runningTasks: () => 2, intervalMs: 1000, maxIntervalMs: 1000 })
    await until(() => health.length === 1, 'the stream up')
    await sleep(250)
    expect(hints).toEqual([])
  })

  it.each([
    ['another status', { status: 'queued', active_tasks: 0 }],
    ['a running frame without a count', { status: 'running' }],
    ['a count that is not a number', { status: 'running', active_tasks: '0' }],
    ['no status', { active_tasks: 0 }],
    ['a frame that is JSON null', null],
    ['a frame that is a number', 3]
  ])('ignores %s, and stays connected', async (_name, frame) => {
    server = await startScriptedServer((response) => frames(response, [frame, frame]))
    // A long interval, so that no stall can end the stream while the test looks, however slow the machine.
    const { log, hints, health } = watch({ runningTasks: () => 2, intervalMs: 1000, maxIntervalMs: 1000 })
    await until(() => server?.requests.length === 1, 'the stream request')
    await sleep(250)
    expect({ hints, health, lines: log.lines, requests: server.requests.length, open: server.open }).toEqual({
      hints: [],
      health: [],
      lines: [],
      requests: 1,
      open: 1
    })
  })

  it("on idle: hints that all finished, and opens again only once the step sees a task still running, waiting four times longer after each idle in a row, up to the hinted poll's wait", async () => {
    server = await startScriptedServer((response) => {
      sse(response)
      send(response, { status: 'idle', active_tasks: 0 })
      response.end()
    })
    const clock = watchedClock()
    const { stream, log, finished, health } = watch({ hintedWaitMs: 1000 }, { clock })
    await until(() => finished.length === 1, 'the idle hint')
    // Without word from the step, it stays closed.
    await sleep(400)
    expect(server.requests).toHaveLength(1)
    const timers: number[][] = []
    const waits: number[] = []
    for (const opens of [2, 3, 4]) {
      const saidAt = Date.now()
      // Said twice, it still opens once.
      timers.push(timersSetBy(clock, () => (stream.stillRunning(), stream.stillRunning())))
      await until(() => server?.requests.length === opens, `open ${opens}`)
      waits.push(server.arrivals[opens - 1]! - saidAt)
      await until(() => finished.length === opens, `idle ${opens}`)
    }
    // One interval (100 ms) after the first idle, four after the second; sixteen would pass the hinted wait.
    expect(timers).toEqual([[100], [400], [1000]])
    expect(waits[0]).toBeGreaterThanOrEqual(95)
    expect(waits[1]).toBeGreaterThanOrEqual(395)
    await sleep(300)
    expect(server.requests).toHaveLength(4)
    expect(finished).toEqual(['all', 'all', 'all', 'all'])
    // An idle at once is no sign of a working stream, and no failure either.
    expect(health).toEqual([])
    expect(notUsable(log)).toEqual([])
  })

  it('opens no other stream while it is up, when the step sees tasks still running', async () => {
    server = await startScriptedServer((response) => frames(response, [running(2)]))
    const { stream, health } = watch({ intervalMs: 1000, maxIntervalMs: 1000 })
    await until(() => health.length === 1, 'the stream up')
    stream.stillRunning()
    await sleep(300)
    expect(server.requests).toHaveLength(1)
  })

  it("on idle after the stream was up: health lost, so that the schedule's waits come back", async () => {
    server = await startScriptedServer((response, n) =>
      n === 0 ? frames(response, [running(2), { status: 'idle', active_tasks: 0 }]) : frames(response, [])
    )
    const { finished, health, log } = watch({ intervalMs: 1000, maxIntervalMs: 1000 })
    await until(() => finished.length === 1, 'the idle hint')
    expect(health).toEqual([true, false])
    expect(finished).toEqual(['all'])
    expect(notUsable(log)).toEqual([])
  })

  it.each([
    ['the timeout frame', { status: 'timeout', timed_out: true, active_tasks: 1 }, 'the server timed the stream out'],
    ['an error frame', { status: 'error', detail: 'stream_failed' }, 'the server reported an error in the stream'],
    ['a frame that is not JSON', 'event: oops\u001b[31m', "a frame that is not JSON: 'event: oops\uFFFD[31m'"],
    ['a frame that is not JSON, quoted short', `{${'x'.repeat(400)}`, `a frame that is not JSON: '{${'x'.repeat(298)}…'`]
  ])('ends the stream on %s, and says why', async (_name, frame, reason) => {
    server = await startScriptedServer((response, n) => (n === 0 ? frames(response, [running(2), frame]) : frames(response, [])))
    const { log, health } = watch()
    await until(() => notUsable(log).length === 1, 'the stream given up')
    expect(notUsable(log)).toEqual([
      `info: The server's wait stream is not usable (${reason}); polling on the schedule instead, and trying the stream again in 0.1s.`
    ])
    expect(health).toEqual([true, false])
    await until(() => server?.open === 0 || server?.requests.length === 2, 'the first stream closed')
  })
})

describe('a stream that cannot be used', () => {
  it.each([
    ['a JSON answer', 200, 'application/json', 'HTTP 200, application/json'],
    ['a gateway error page', 502, 'text/html; charset=utf-8', 'HTTP 502, text/html'],
    ['a server without the route', 404, 'application/json', 'HTTP 404, application/json (a server without the route)'],
    ['a route that takes another method', 405, 'application/json', 'HTTP 405, application/json (a server without the route)'],
    ['an event stream with an error status', 500, 'text/event-stream', 'HTTP 500, text/event-stream'],
    ['an answer without a type', 503, undefined, 'HTTP 503']
  ])('%s', async (_name, status, type, reason) => {
    server = await startScriptedServer((response) => response.writeHead(status, type ? { 'Content-Type': type } : {}).end('{}'))
    const { log, health } = watch()
    await until(() => notUsable(log).length === 1, 'the stream given up')
    expect(notUsable(log)).toEqual([
      `info: The server's wait stream is not usable (${reason}); polling on the schedule instead, and trying the stream again in 0.1s.`
    ])
    expect(health).toEqual([])
  })

  it('a refused connection, in the words of the network classification', async () => {
    server = await startScriptedServer(() => undefined)
    const { baseUrl, port } = server
    await server.close()
    server = undefined
    const { log } = watch({}, { baseUrl })
    await until(() => notUsable(log).length === 1, 'the stream given up')
    expect(notUsable(log)).toEqual([
      `info: The server's wait stream is not usable (connection refused (127.0.0.1:${port}, ECONNREFUSED)); polling on the schedule instead, and trying the stream again in 0.1s.`
    ])
  })

  it('says so once, then tries again with a doubling backoff up to the longest interval, in the debug log, closing each answer', async () => {
    server = await startScriptedServer((response) => response.writeHead(404, { 'Content-Type': 'application/json' }).end('{}'))
    const { log } = watch({ intervalMs: 100, maxIntervalMs: 400 })
    await until(() => notUsable(log).length === 5, 'five failures')
    const again = (seconds: string): string =>
      `The server's wait stream is not usable (HTTP 404, application/json (a server without the route)); polling on the schedule instead, and trying the stream again in ${seconds}s.`
    expect(notUsable(log)).toEqual([
      `info: ${again('0.1')}`,
      `debug: ${again('0.2')}`,
      `debug: ${again('0.4')}`,
      `debug: ${again('0.4')}`,
      `debug: ${again('0.4')}`
    ])
    // Each answer that is not a stream is dropped with its connection, not left holding it.
    await until(() => (server?.closedConnections ?? 0) >= 4, 'the connections closed')
  })

  it('a stream that breaks mid-way: health lost, and the backoff starts again from one interval after it was up', async () => {
    server = await startScriptedServer((response, n) => {
      if (n === 0) response.writeHead(404, { 'Content-Type': 'application/json' }).end('{}')
      else if (n === 1) {
        frames(response, [running(2)])
        setTimeout(() => response.socket?.destroy(), 150)
      } else frames(response, [running(2)])
    })
    const { log, health } = watch()
    await until(() => server?.requests.length === 3 && health.length === 3, 'the stream back')
    expect(health).toEqual([true, false, true])
    expect(notUsable(log)).toEqual([
      "info: The server's wait stream is not usable (HTTP 404, application/json (a server without the route)); polling on the schedule instead, and trying the stream again in 0.1s.",
      "debug: The server's wait stream is not usable (aborted); polling on the schedule instead, and trying the stream again in 0.1s."
    ])
  })

  it('a stream that stalls: given up after three intervals without a frame', async () => {
    server = await startScriptedServer((response, n) => frames(response, n === 0 ? [running(2)] : []))
    const { log, health } = watch()
    await until(() => notUsable(log).length === 1, 'the stall noticed')
    const stalledAfter = Date.now() - watched!.started
    expect(notUsable(log)[0]).toMatch(/^info: The server's wait stream is not usable \(no frame for 3 intervals\); /)
    expect(stalledAfter).toBeGreaterThanOrEqual(3 * 100 + 200)
    expect(health).toEqual([true, false])
  })

  it('a stream that never sends a frame: given up after three intervals', async () => {
    server = await startScriptedServer((response) => frames(response, []))
    const { log, health } = watch()
    await until(() => notUsable(log).length === 1, 'the stall noticed')
    expect(notUsable(log)[0]).toMatch(/^info: The server's wait stream is not usable \(no frame for 3 intervals\); /)
    expect(health).toEqual([])
  })

  const ADVICE =
    'A proxy in front of the server probably buffers event streams. For nginx, turn buffering off on the location of ' +
    '/scheduler/wait/stream (proxy_buffering off, or have the server send X-Accel-Buffering: no), with proxy_http_version 1.1 ' +
    "and a long proxy_read_timeout; or set 'stream: false'. Polling carries on meanwhile."

  it.each([
    ['no frames', (response: ServerResponse) => frames(response, []), 'no frame for 3 intervals'],
    // A proxy that buffers the whole answer holds the headers back too: given up after 2 s (3 intervals are less).
    ['no headers', () => undefined, 'no headers within 2000ms']
  ])('says once, at its first silence, that a proxy probably buffers the stream (%s)', async (_name, script, reason) => {
    server = await startScriptedServer((response) => script(response))
    const { log } = watch()
    await until(() => notUsable(log).length === 2, 'two silent streams')
    expect(notUsable(log)).toEqual([
      `info: The server's wait stream is not usable (${reason}); polling on the schedule instead, and trying the stream again in 0.1s. ${ADVICE}`,
      `debug: The server's wait stream is not usable (${reason}); polling on the schedule instead, and trying the stream again in 0.2s.`
    ])
  })

  it('waits for the headers three intervals and 200 ms, when that is over 2 s', async () => {
    server = await startScriptedServer(() => undefined)
    const { log } = watch({ intervalMs: 700, maxIntervalMs: 700 })
    await until(() => notUsable(log).length === 1, 'the stream given up')
    expect(notUsable(log)[0]).toMatch(/^info: The server's wait stream is not usable \(no headers within 2300ms\); /)
  })

  it('gives the advice at the first silence, even after another fault was already logged', async () => {
    server = await startScriptedServer((response, n) => (n === 0 ? (sse(response), response.end()) : frames(response, [])))
    const { log } = watch()
    await until(() => notUsable(log).length === 2, 'a close, then a silent stream')
    expect(notUsable(log).map((line) => line.endsWith(ADVICE))).toEqual([false, true])
    expect(notUsable(log)[1]).toMatch(/^info: /)
  })

  it('reads a character split between two packets whole', async () => {
    const frame = Buffer.from('data: café ☕\n\n')
    server = await startScriptedServer((response, n) => {
      if (n > 0) return frames(response, [])
      sse(response).flushHeaders()
      // The cup's three bytes: one in the first packet, two in the second.
      response.write(frame.subarray(0, frame.length - 4))
      setTimeout(() => response.write(frame.subarray(frame.length - 4)), 100)
    })
    const { log } = watch()
    await until(() => notUsable(log).length === 1, 'the frame read')
    expect(notUsable(log)[0]).toMatch(/^info: The server's wait stream is not usable \(a frame that is not JSON: 'café ☕'\); /)
  })

  /** Writes `piece` without end while the client reads it. */
  const flood = (response: ServerResponse, head: string, piece: string): void => {
    sse(response).flushHeaders()
    response.write(head)
    const bytes = Buffer.from(piece)
    const more = (): void => {
      while (!response.destroyed) if (!response.write(bytes)) return void response.once('drain', more)
    }
    more()
  }

  it.each([
    ['data lines without a blank line', '', `data: ${'x'.repeat(1000)}\n`],
    ['one line that never ends', 'data: ', 'x'.repeat(1000)]
  ])('a stream that floods with %s: given up at its limit, before any stall, and each flood closed', async (_name, head, piece) => {
    // The first stream is up (a frame) before its flood.
    server = await startScriptedServer((response, n) =>
      flood(response, `${n === 0 ? `data: ${JSON.stringify(running(2))}\n\n` : ''}${head}`, piece)
    )
    const { log, health } = watch({ intervalMs: 1000, maxIntervalMs: 1000 })
    await until(() => notUsable(log).length === 2, 'the second flood given up')
    const reason = 'the server sent a frame over 64 KiB'
    expect(notUsable(log)).toEqual([
      `info: The server's wait stream is not usable (${reason}); polling on the schedule instead, and trying the stream again in 1s.`,
      `debug: The server's wait stream is not usable (${reason}); polling on the schedule instead, and trying the stream again in 1s.`
    ])
    expect(health).toEqual([true, false])
    // Given up on its size: a stall would take 3.2 s, and the second stream opens 1 s after the first ends.
    expect(Date.now() - watched!.started).toBeLessThan(3200)
    await until(() => server?.ends.length === 2, 'both floods closed')
  })

  it('a stream that floods with comments is given up as stalled: no frame for three intervals', async () => {
    server = await startScriptedServer((response) => flood(response, '', ': keep-alive\n'.repeat(100)))
    const { log } = watch()
    await until(() => notUsable(log).length === 1, 'the stall noticed')
    expect(notUsable(log)[0]).toMatch(/^info: The server's wait stream is not usable \(no frame for 3 intervals\); /)
  })

  it('a stream whose frames keep coming is not stalled', async () => {
    server = await startScriptedServer((response) => {
      sse(response).flushHeaders()
      const timer = setInterval(() => send(response, running(2)), 50)
      response.on('close', () => clearInterval(timer))
    })
    // Given up after 1.1 s without a frame; a frame every 50 ms leaves a wide margin on a slow machine.
    const { log } = watch({ intervalMs: 300, maxIntervalMs: 300 })
    await sleep(2500)
    expect(notUsable(log)).toEqual([])
    expect(server.requests).toHaveLength(1)
  })
})

describe('close()', () => {
  it('leaves no timer behind that would hold the process open, while a retry waits', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
    server = await startScriptedServer((response) => response.writeHead(404, { 'Content-Type': 'application/json' }).end('{}'))
    const { stream, log } = watch({ intervalMs: 5000, maxIntervalMs: 5000 })
    await until(() => notUsable(log).length === 1, 'the stream given up')
    // Counted in the same tick as close(), so that no other test's timer can end in between: the retry's goes.
    const waiting = timers()
    stream.close()
    expect(timers()).toBe(waiting - 1)
  })

  it('ends the open stream and opens no other', async () => {
    server = await startScriptedServer((response) => frames(response, [running(2)]))
    const { stream, log } = watch()
    await until(() => server?.open === 1, 'the stream open')
    stream.close()
    await until(() => server?.open === 0, 'the stream closed')
    await sleep(300)
    expect(server.requests).toHaveLength(1)
    expect(notUsable(log)).toEqual([])
  })

  it('leaves no stall timer behind once the open stream has ended', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
    server = await startScriptedServer((response) => frames(response, [running(2)]))
    // Given up as stalled only after 15.2 s: a stall timer left armed would still be counted below.
    const { stream, health } = watch({ intervalMs: 5000, maxIntervalMs: 5000 })
    await until(() => health.length === 1, 'the stream up')
    const whileOpen = timers()
    stream.close()
    await until(() => server?.open === 0, 'the stream closed')
    await sleep(50)
    expect(timers()).toBeLessThan(whileOpen)
  })

  it('ends a stream still waiting for its answer', async () => {
    // The server takes the request and never answers it; the stream would wait 10 s for the headers.
    server = await startScriptedServer(() => undefined)
    const { stream } = watch({ intervalMs: 5000, maxIntervalMs: 5000 })
    await until(() => server?.open === 1, 'the request at the server')
    const closedAt = Date.now()
    stream.close()
    await until(() => server?.open === 0, 'the request closed')
    // Not left to the 10 s the stream's connect timeout would take.
    expect(Date.now() - closedAt).toBeLessThan(5000)
    expect(server.requests).toHaveLength(1)
  })

  it('cancels a retry that is waiting', async () => {
    server = await startScriptedServer((response) => response.writeHead(404, { 'Content-Type': 'application/json' }).end('{}'))
    const { stream, log } = watch({ intervalMs: 200, maxIntervalMs: 200 })
    await until(() => notUsable(log).length === 1, 'the stream given up')
    stream.close()
    await sleep(500)
    expect(server.requests).toHaveLength(1)
  })
})
