import { escapeHtml, escapeMarkdown, shown } from '../../src/report/markdown.js'
import { render } from '../../testing/rendered.js'

/** Elements that text from a server must never produce. */
const ACTIVE = ['a', 'img', 'script', 'strong', 'em', 'code', 'del', 'h1', 'h2', 'h3', 'blockquote', 'ol', 'hr', 'details']

describe('server text in the summary', () => {
  it.each([
    ['a pipe', 'a | b | c'],
    ['tags', '<img src=x onerror=alert(1)> <script>alert(1)</script> </details></td>'],
    ['an HTML comment', 'before <!-- after'],
    ['a link and an image', '[click](https://evil.example) ![img](https://evil.example/x.png)'],
    ['autolinks', 'https://evil.example www.evil.example <https://evil.example> user@evil.example'],
    ['emphasis and strikethrough', '**bold** *em* __strong__ _em_ ~~gone~~ ~gone~'],
    ['code', '`code` ``more``'],
    ['entities', '&lt;b&gt; &#60;b&#62; &amp;'],
    ['backslashes', 'a\\|b \\*c\\* C:\\temp\\'],
    ['a heading marker', '# heading'],
    ['a quote marker', '> quoted'],
    ['a list marker', '- item'],
    ['a numbered list', '1. item'],
    ['a rule', '---'],
    ['snake_case and underscores', 'memory_views _private __dunder__'],
    ['a reference link', '[x] [x]: https://evil.example'],
    ['math', '$x^2$ and $$y$$']
  ])('renders %s as itself, in a table cell and in a list item', (_name, text) => {
    const escaped = escapeMarkdown(text)
    const page = render(`| Status | n |\n| --- | --- |\n| ${escaped} | 1 |\n\n- ${escaped}\n`)
    const [table] = page.tables()
    expect(table?.rows).toEqual([[text, '1']])
    expect(page.lines()).toContain(text)
    for (const name of ACTIVE) expect(page.count(name)).toBe(0)
    expect(page.count('li')).toBe(1)
  })

  it('puts a multi-line text on one line', () => {
    const page = render(`- ${escapeMarkdown('first\nsecond\r\n\n- third')}`)
    expect(page.lines()).toEqual(['first second - third'])
  })

  it.each([
    [
      'words and snake_case',
      "Task 9f2c ended with status 'failed' in memory_views.",
      "Task 9f2c ended with status 'failed' in memory_views."
    ],
    ['a duration and a colon', 'code 50131: task not found (5.4s)', 'code 50131: task not found (5.4s)'],
    ['a pipe', 'a|b', 'a\\|b'],
    ['a tag', '<b>', '&lt;b>'],
    ['a link', '[x](https://y)', '\\[x\\](https\\://y)'],
    ['math', 'costs $5', 'costs \\$5']
  ])('keeps the markdown readable: %s', (_name, text, expected) => {
    expect(escapeMarkdown(text)).toBe(expected)
  })

  it.each([
    ['short text stays', 'completed', 10, 'completed'],
    ['long text ends in an ellipsis', 'abcdefghijkl', 5, 'abcd…'],
    ['emoji are not split', '😀😀😀😀😀😀', 5, '😀😀…'],
    ['line breaks become spaces', 'a\n\nb', 10, 'a b']
  ])('cuts: %s', (_name, text, max, expected) => {
    expect(shown(text, max)).toBe(expected)
  })

  it.each([
    ['an ampersand', 'R&D', 'R&amp;D'],
    ['spaces around the text', '  failed \n', 'failed'],
    ['a backslash', 'C:\\temp', 'C:\\\\temp'],
    ['a code span', 'a `b`', 'a \\`b\\`'],
    ['emphasis', '*a*', '\\*a\\*'],
    ['strikethrough', '~a~', '\\~a\\~'],
    ['brackets', '[a]', '\\[a\\]'],
    ['an e-mail address', 'me@host', 'me\\@host'],
    ['an underscore at the start and the end of a word', '_a b_', '\\_a b\\_'],
    ['underscores between letters and digits, of any script', 'a_b 1_2 é_ü', 'a_b 1_2 é_ü'],
    ['a double underscore', '__init__', '\\_\\_init\\_\\_'],
    ['an address', 'https://x', 'https\\://x'],
    ['a www address, in any case', 'see WWW.x and www.y', 'see WWW\\.x and www\\.y'],
    ['"www." inside a word', 'awww.x', 'awww.x'],
    ['a heading marker', '# x', '\\# x'],
    ['a quote marker', '> x', '\\> x'],
    ['a plus', '+1', '\\+1'],
    ['an equals sign', '== x', '\\== x'],
    ['a dash', '- x', '\\- x'],
    ['a dash after the start', 'a - b', 'a - b'],
    ['a numbered item', '12. x', '12\\. x'],
    ['a numbered item with a parenthesis', '3) x', '3\\) x'],
    ['a number after the start', 'x 1. y', 'x 1. y'],
    ['a number without a mark', '12 x', '12 x']
  ])('escapes exactly what it must: %s', (_name, text, expected) => {
    expect(escapeMarkdown(text)).toBe(expected)
  })

  it('escapes the three characters HTML interprets inside a block', () => {
    expect(escapeHtml('a<b>&c "d"')).toBe('a&lt;b&gt;&amp;c "d"')
  })

  it.each([
    ['a line break', 'a\nb'],
    ['a Windows line break and a blank line', 'a\r\n\r\nb'],
    ['a tab', 'a\tb'],
    ['the line and paragraph separators', 'a\u2028\u2029b']
  ])('puts %s on one line, as one space', (_name, text) => {
    expect(escapeMarkdown(text)).toBe('a b')
  })

  it.each([
    ['a NUL and a DEL', 'a\u0000\u007fb', 'a\uFFFD\uFFFDb'],
    ['a terminal escape', 'a\u001b[31mb', 'a\uFFFD\\[31mb'],
    ['a right-to-left override, which would reorder what a reader sees', 'a\u202eb', 'a\uFFFDb']
  ])('shows %s as a replacement character', (_name, text, expected) => {
    expect(escapeMarkdown(text)).toBe(expected)
  })

  it.each([
    ['text of exactly the length stays whole', 'abcde', 5, 'abcde'],
    ['the space before the ellipsis goes', 'abc   defg', 5, 'abc…'],
    ['a line break counts as one space', 'ab\n\ncdef', 4, 'ab…']
  ])('cuts: %s', (_name, text, max, expected) => {
    expect(shown(text, max)).toBe(expected)
  })

  it('cuts before it escapes, so that an escape is never cut in half', () => {
    expect(shown('*****', 3)).toBe('\\*\\*…')
  })
})
