/**
 * A Server-Sent Events reader, by hand rather than a dependency: the wait stream sends bare `data:` frames
 * (no `event:`, `id:` or `retry:` fields, no comments) and the reader needs no reconnection logic of its own,
 * so the part of the format it needs is a few lines; a library would add its own reconnect policy to override.
 * It still follows the format's rules for what it reads: lines end with LF, CRLF or CR; a blank line ends an
 * event; several `data:` lines join with LF; one space after the colon is dropped; other fields are ignored.
 */
export class SseParser {
  private buffer = ''
  private data: string[] = []
  /** The last chunk ended with CR: a LF at the start of the next one is the rest of that line end. */
  // Stryker disable next-line BooleanLiteral: before any chunk the buffer is empty, so a dropped first LF only drops an empty line, which ends no event
  private pendingLf = false

  constructor(private readonly onEvent: (data: string) => void) {}

  push(chunk: string): void {
    const text = this.pendingLf && chunk.startsWith('\n') ? chunk.slice(1) : chunk
    this.pendingLf = text.endsWith('\r')
    const lines = (this.buffer + text).split(/\r\n|\r|\n/)
    // Stryker disable next-line StringLiteral: split() always returns at least one element, so the fallback never applies
    this.buffer = lines.pop() ?? ''
    for (const line of lines) this.line(line)
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onEvent(this.data.join('\n'))
      this.data = []
      return
    }
    const colon = line.indexOf(':')
    // Stryker disable next-line EqualityOperator: with the colon first (a comment), both the empty name and the whole line differ from 'data'
    const field = colon < 0 ? line : line.slice(0, colon)
    if (field !== 'data') return
    // Stryker disable next-line EqualityOperator: a 'data' field has its colon at 4 or none, never at 0
    const value = colon < 0 ? '' : line.slice(colon + 1)
    this.data.push(value.startsWith(' ') ? value.slice(1) : value)
  }
}
