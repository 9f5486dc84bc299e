import { cut, escapeMarkdown } from '../src/markdown.js'
import { render } from './helpers/rendered.js'

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
    ['emoji are not split', '😀😀😀😀😀😀', 3, '😀😀…'],
    ['line breaks become spaces', 'a\n\nb', 10, 'a b']
  ])('cuts: %s', (_name, text, max, expected) => {
    expect(cut(text, max)).toBe(expected)
  })
})
