/**
 * A Server-Sent Events reader, by hand rather than a dependency: the wait stream sends bare `data:` frames
 * (no `event:`, `id:` or `retry:` fields, no comments) and the reader needs no reconnection logic of its own,
 * so the part of the format it needs is short; a library would add its own reconnect policy to override.
 * It still follows the format's rules for what it reads: lines end with LF, CRLF or CR; a blank line ends an
 * event; several `data:` lines join with LF; one space after the colon is dropped; other fields are ignored;
 * a byte order mark at the very start is dropped.
 *
 * It reads bytes, not text: each byte is scanned for a line end once, and copied at most twice (into the
 * unfinished line, then into the whole line) before the line is decoded once. A line end is ASCII and never
 * part of a multi-byte UTF-8 character, so a whole line decodes right however the chunks split it.
 */

/**
 * The most one line, and one event's data, may hold. A frame of the real server is a few hundred bytes
 * (a user name, a count, a status, a time, an instance id); 64 KiB leaves room for a hundred times that and
 * for long user names, while a stream that passes it (a broken server, a proxy answering the path with
 * something endless) costs a few times this much memory at most before it is given up.
 */
export const SSE_FRAME_MAX_BYTES = 64 * 1024

/** The stream passed a limit: it is unusable, and the parser reads no more of it. */
export interface SseOverLimit {
  /** What passed the limit: an unfinished or finished line, or one event's data joined. */
  part: 'line' | 'event'
  limitBytes: number
}

const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a
const SPACE = 0x20
const DATA = Buffer.from('data')
const BOM = Buffer.from([0xef, 0xbb, 0xbf])

export class SseParser {
  /** The unfinished line's bytes so far, copied out of their chunks. */
  private unfinished: Buffer[] = []
  private unfinishedBytes = 0
  private data: string[] = []
  /** The event's data so far, in bytes, with the LF between lines. */
  private dataBytes = 0
  /** The last chunk ended with CR: a LF at the start of the next one is the rest of that line end. */
  // Stryker disable next-line BooleanLiteral: before any chunk nothing is unfinished, so a dropped first LF only drops an empty line, which ends no event
  private pendingLf = false
  private firstLine = true
  private spent = false

  constructor(private readonly onEvent: (data: string) => void) {}

  /**
   * Reads one chunk, calling back for each event it completes; the verdict, once, when the stream passes a
   * limit. After that verdict the parser ignores whatever else comes.
   */
  push(chunk: Uint8Array): SseOverLimit | undefined {
    // An empty chunk must not clear a pending LF.
    if (this.spent || chunk.length === 0) return undefined
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let start = this.pendingLf && bytes[0] === LF ? 1 : 0
    this.pendingLf = false
    // The next LF and CR at or after `start`, or -1 when the chunk has none left: each is searched for again
    // only once passed, so each byte is scanned once for each.
    let nextLf = bytes.indexOf(LF, start)
    let nextCr = bytes.indexOf(CR, start)
    while (nextLf >= 0 || nextCr >= 0) {
      // Stryker disable next-line EqualityOperator: a byte is never both LF and CR, so the two are never equal
      const end = nextCr < 0 || (nextLf >= 0 && nextLf < nextCr) ? nextLf : nextCr
      const verdict = this.endLine(bytes.subarray(start, end))
      if (verdict) return this.giveUp(verdict)
      start = end + 1
      if (end === nextCr) {
        if (start === bytes.length) this.pendingLf = true
        else if (bytes[start] === LF) start++
      }
      // Stryker disable next-line EqualityOperator: a line end found exactly at `start` is found there again
      if (nextLf >= 0 && nextLf < start) nextLf = bytes.indexOf(LF, start)
      // Stryker disable next-line EqualityOperator: as above
      if (nextCr >= 0 && nextCr < start) nextCr = bytes.indexOf(CR, start)
    }
    // Stryker disable next-line ConditionalExpression: keeping an empty rest would only join nothing to the next line
    if (start === bytes.length) return undefined
    this.unfinishedBytes += bytes.length - start
    if (this.unfinishedBytes > SSE_FRAME_MAX_BYTES) return this.giveUp('line')
    this.unfinished.push(Buffer.from(bytes.subarray(start)))
    return undefined
  }

  /** A line is complete: `rest` is its part in the current chunk, after what is unfinished. */
  private endLine(rest: Buffer): SseOverLimit['part'] | undefined {
    if (this.unfinishedBytes + rest.length > SSE_FRAME_MAX_BYTES) return 'line'
    let line = rest
    // Stryker disable next-line ConditionalExpression,EqualityOperator: joining nothing to `rest` copies it and changes nothing else
    if (this.unfinished.length > 0) {
      line = Buffer.concat([...this.unfinished, rest])
      this.unfinished = []
      this.unfinishedBytes = 0
    }
    if (this.firstLine) {
      this.firstLine = false
      if (line.subarray(0, BOM.length).equals(BOM)) line = line.subarray(BOM.length)
    }
    return this.line(line)
  }

  private line(line: Buffer): SseOverLimit['part'] | undefined {
    if (line.length === 0) {
      if (this.data.length > 0) this.onEvent(this.data.join('\n'))
      this.data = []
      this.dataBytes = 0
      return undefined
    }
    const colon = line.indexOf(COLON)
    // Stryker disable next-line EqualityOperator: with the colon first (a comment), both the empty name and the whole line differ from 'data'
    const field = colon < 0 ? line : line.subarray(0, colon)
    if (!field.equals(DATA)) return undefined
    // Stryker disable next-line EqualityOperator: a 'data' field has its colon at 4 or none, never at 0
    let valueStart = colon < 0 ? line.length : colon + 1
    if (line[valueStart] === SPACE) valueStart++
    this.dataBytes += (this.data.length > 0 ? 1 : 0) + line.length - valueStart
    if (this.dataBytes > SSE_FRAME_MAX_BYTES) return 'event'
    this.data.push(line.toString('utf8', valueStart))
    return undefined
  }

  /** Lets go of what the stream left unfinished: nothing more of it is read. */
  private giveUp(part: SseOverLimit['part']): SseOverLimit {
    this.spent = true
    this.unfinished = []
    // Stryker disable next-line ArrayDeclaration: nothing reads the data again after the verdict; this only frees it
    this.data = []
    return { part, limitBytes: SSE_FRAME_MAX_BYTES }
  }
}
