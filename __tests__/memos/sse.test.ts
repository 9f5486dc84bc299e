import { SSE_FRAME_MAX_BYTES, type SseOverLimit, SseParser } from '../../src/memos/sse.js'

interface Read {
  events: string[]
  /** Each verdict, with the number of events read before it. */
  verdicts: Array<SseOverLimit & { afterEvents: number }>
}

function read(chunks: Array<string | Uint8Array>): Read {
  const result: Read = { events: [], verdicts: [] }
  const parser = new SseParser((data) => result.events.push(data))
  for (const chunk of chunks) {
    const verdict = parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    if (verdict) result.verdicts.push({ ...verdict, afterEvents: result.events.length })
  }
  return result
}

const bytesOf = (chunks: Array<string | Uint8Array>): Buffer =>
  Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)))
/** The same bytes, one a chunk, as plain Uint8Arrays rather than Buffers. */
const everyByte = (chunks: Array<string | Uint8Array>): Uint8Array[] => [...bytesOf(chunks)].map((byte) => Uint8Array.of(byte))
/** The same bytes in two chunks, split at `at`. */
const splitAt = (chunks: Array<string | Uint8Array>, at: number): Buffer[] => {
  const bytes = bytesOf(chunks)
  return [bytes.subarray(0, at), bytes.subarray(at)]
}

describe('SseParser, on well-formed streams', () => {
  const cases: Array<[string, Array<string | Uint8Array>, string[]]> = [
    ['bare data frames, as the wait stream sends them', ['data: {"a":1}\n\ndata: {"a":2}\n\n'], ['{"a":1}', '{"a":2}']],
    ['a frame split across chunks, mid-line', ['data: {"a"', ':1}\n', '\n'], ['{"a":1}']],
    ['CRLF line ends', ['data: x\r\n\r\n'], ['x']],
    ['a CRLF split between two chunks', ['data: x\r', '\n\r', '\n'], ['x']],
    ['a CRLF split between two chunks inside an event', ['data: a\r', '\ndata: b\n\n'], ['a\nb']],
    ['a CRLF with an empty chunk inside it', ['data: a\r', '', '\ndata: b\n\n'], ['a\nb']],
    ['a CR at the end of a chunk, then the next line', ['data: a\r', 'data: b\n\n'], ['a\nb']],
    ['bare CR line ends', ['data: x\r\rdata: y\r\r'], ['x', 'y']],
    ['line ends of every kind in one stream', ['data: a\rdata: b\r\ndata: c\n\r\n'], ['a\nb\nc']],
    ['several data lines, joined with a newline', ['data: a\ndata: b\n\n'], ['a\nb']],
    ['no space after the colon', ['data:x\n\n'], ['x']],
    ['only the first space dropped', ['data:  x\n\n'], [' x']],
    ['a bare "data" line, an empty data line', ['data\ndata: x\n\n'], ['\nx']],
    ['a field that only starts like data, ignored', ['database: x\ndat: y\ndata: z\n\n'], ['z']],
    ['comments, other fields and empty events, ignored', [': keep-alive\nevent: status\nid: 3\nretry: 10\n\n\ndata: x\n\n'], ['x']],
    ['a frame without its blank line yet', ['data: x\n'], []],
    ['characters of two, three and four bytes', ['data: café ☕ 𝄞\n\n'], ['café ☕ 𝄞']],
    ['a byte that is not UTF-8, as U+FFFD', [Buffer.from([...Buffer.from('data: a'), 0xff, ...Buffer.from('b\n\n')])], ['a\uFFFDb']],
    ['a byte order mark at the start, dropped', ['\uFEFFdata: x\n\n'], ['x']],
    ['a byte order mark later, kept (its line is not a data field)', ['data: x\n\n\uFEFFdata: y\n\ndata: z\n\n'], ['x', 'z']],
    ['many small data lines, then the blank line', ['data: x\n'.repeat(1000), '\n'], [Array(1000).fill('x').join('\n')]]
  ]

  it.each(cases)('reads %s', (_name, chunks, events) => {
    expect(read(chunks)).toEqual({ events, verdicts: [] })
  })

  it.each(cases)('reads %s the same when every byte comes alone', (_name, chunks, events) => {
    expect(read(everyByte(chunks))).toEqual({ events, verdicts: [] })
  })

  it.each(cases.filter(([, chunks]) => bytesOf(chunks).length < 200))(
    'reads %s the same however two chunks split it',
    (_name, chunks, events) => {
      for (let at = 0; at <= bytesOf(chunks).length; at++) expect([at, read(splitAt(chunks, at))]).toEqual([at, { events, verdicts: [] }])
    }
  )
})

describe('SseParser, over its limits', () => {
  const MAX = SSE_FRAME_MAX_BYTES
  /** A data line of exactly `bytes` bytes, its line end not counted. */
  const dataLine = (bytes: number): string => `data: ${'x'.repeat(bytes - 6)}`
  const verdict = (part: SseOverLimit['part'], afterEvents = 0): Read['verdicts'][number] => ({ part, limitBytes: MAX, afterEvents })

  it.each([
    ['whole in one chunk', [`${dataLine(MAX)}\n\n`]],
    ['split at every 1000 bytes', chunked(`${dataLine(MAX)}\n\n`, 1000)]
  ])('reads a line of exactly the limit, %s', (_name, chunks) => {
    expect(read(chunks)).toEqual({ events: ['x'.repeat(MAX - 6)], verdicts: [] })
  })

  it.each([
    ['whole in one chunk', [`${dataLine(MAX + 1)}\n\n`]],
    ['split at every 1000 bytes', chunked(`${dataLine(MAX + 1)}\n\n`, 1000)],
    ['ended in the chunk after the limit was reached', [dataLine(MAX), 'x\n\n']],
    ['never ended', chunked(dataLine(4 * MAX), 1000)],
    ['a comment line', [`:${'x'.repeat(MAX)}\n`]]
  ])('gives up on a line over the limit, %s, once', (_name, chunks) => {
    expect(read(chunks)).toEqual({ events: [], verdicts: [verdict('line')] })
  })

  it('gives up on an unfinished line as soon as it passes the limit, before its end comes', () => {
    const parser = new SseParser(() => undefined)
    expect(parser.push(Buffer.from(dataLine(MAX)))).toBeUndefined()
    expect(parser.push(Buffer.from('x'))).toEqual({ part: 'line', limitBytes: MAX })
  })

  it('reads an event of exactly the limit: the data lines with the newlines between them', () => {
    // 63 lines of 1023 bytes and one of 1024, with 63 newlines: 65,536 bytes of data.
    const lines = [...Array<string>(63).fill('y'.repeat(1023)), 'y'.repeat(1024)]
    const stream = `${lines.map((value) => `data: ${value}\n`).join('')}\n`
    expect(read([stream])).toEqual({ events: [lines.join('\n')], verdicts: [] })
  })

  it.each([
    [
      'a byte over, whole in one chunk',
      [`${[...Array<string>(63).fill('y'.repeat(1023)), 'y'.repeat(1025)].map((v) => `data: ${v}\n`).join('')}\n`]
    ],
    ['many small data lines without a blank line', chunked('data: x\n'.repeat(100_000), 4096)],
    ['many empty data lines without a blank line', ['data\n'.repeat(100_000)]]
  ])('gives up on an event over the limit: %s', (_name, chunks) => {
    expect(read(chunks)).toEqual({ events: [], verdicts: [verdict('event')] })
  })

  it('counts each line and each event from nothing: lines and events that pass the limit only together are read', () => {
    const half = 'z'.repeat(40 * 1024)
    const stream = `data: ${half}\n\ndata: ${half}\n\n:${half}\n:${half}\n`
    expect(read(chunked(stream, 1000))).toEqual({ events: [half, half], verdicts: [] })
  })

  it('reads the events before the one over the limit, in the same chunk, and nothing after it', () => {
    const stream = `data: first\n\n${dataLine(MAX + 1)}\n\ndata: after\n\n`
    expect(read([stream, 'data: later\n\n'])).toEqual({ events: ['first'], verdicts: [verdict('line', 1)] })
  })

  it('keeps nothing of lines that are not data: endless comments pass no limit', () => {
    expect(read([...chunked(': keep-alive\n'.repeat(100_000), 4096), 'data: x\n\n'])).toEqual({ events: ['x'], verdicts: [] })
  })
})

describe('SseParser, its cost', () => {
  /** The chunk, with a count of the bytes its own searches for line ends pass over. */
  function countingChunk(text: string): { chunk: Buffer; scanned: () => number } {
    const chunk = Buffer.from(text)
    let scanned = 0
    const indexOf = chunk.indexOf.bind(chunk)
    const counted = (value: number, from: number): number => {
      const found = indexOf(value, from)
      scanned += (found < 0 ? chunk.length : found + 1) - from
      return found
    }
    chunk.indexOf = counted as Buffer['indexOf']
    return { chunk, scanned: () => scanned }
  }

  // Each byte is passed over once in the search for LF and once in the search for CR, however the lines end:
  // a search repeated for every line would pass over the rest of the chunk again, and the cost would grow with
  // the square of the chunk.
  it.each([
    ['LF line ends', 'data: x\n\n'.repeat(1000)],
    ['CR line ends', 'data: x\r\r'.repeat(1000)],
    ['CR line ends, one LF at the very end', `${'data: x\r\r'.repeat(1000)}\n`],
    ['CRLF line ends', 'data: x\r\n\r\n'.repeat(1000)],
    ['LF line ends, one CR at the very end', `${'data: x\n\n'.repeat(1000)}\r`]
  ])('searches each byte of a chunk of %s once for each kind of line end', (_name, text) => {
    const { chunk, scanned } = countingChunk(text)
    const events: string[] = []
    expect(new SseParser((data) => events.push(data)).push(chunk)).toBeUndefined()
    expect(events).toHaveLength(1000)
    expect(scanned()).toBeLessThanOrEqual(2 * chunk.length)
  })
})

function chunked(text: string, size: number): string[] {
  const chunks: string[] = []
  for (let at = 0; at < text.length; at += size) chunks.push(text.slice(at, at + size))
  return chunks
}
