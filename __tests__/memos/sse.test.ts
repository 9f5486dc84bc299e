import { SseParser } from '../../src/memos/sse.js'

function parse(chunks: string[]): string[] {
  const events: string[] = []
  const parser = new SseParser((data) => events.push(data))
  for (const chunk of chunks) parser.push(chunk)
  return events
}

describe('SseParser', () => {
  it.each([
    ['bare data frames, as the wait stream sends them', ['data: {"a":1}\n\ndata: {"a":2}\n\n'], ['{"a":1}', '{"a":2}']],
    ['a frame split across chunks, mid-line', ['data: {"a"', ':1}\n', '\n'], ['{"a":1}']],
    ['CRLF line ends', ['data: x\r\n\r\n'], ['x']],
    ['a CRLF split between two chunks', ['data: x\r', '\n\r', '\n'], ['x']],
    ['a CRLF split between two chunks inside an event', ['data: a\r', '\ndata: b\n\n'], ['a\nb']],
    ['a CR at the end of a chunk, then the next line', ['data: a\r', 'data: b\n\n'], ['a\nb']],
    ['bare CR line ends', ['data: x\r\rdata: y\r\r'], ['x', 'y']],
    ['several data lines, joined with a newline', ['data: a\ndata: b\n\n'], ['a\nb']],
    ['no space after the colon', ['data:x\n\n'], ['x']],
    ['only the first space dropped', ['data:  x\n\n'], [' x']],
    ['a bare "data" line, an empty data line', ['data\ndata: x\n\n'], ['\nx']],
    ['comments, other fields and empty events, ignored', [': keep-alive\nevent: status\nid: 3\nretry: 10\n\n\ndata: x\n\n'], ['x']],
    ['a frame without its blank line yet', ['data: x\n'], []]
  ])('reads %s', (_name, chunks, events) => {
    expect(parse(chunks)).toEqual(events)
  })
})
