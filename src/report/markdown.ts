import { clip, sanitize } from '../shared/text.js'

/**
 * Text from a server or an input, made safe for one line of GitHub-flavoured markdown: it renders as itself,
 * with no HTML, link, emphasis, code or table cell of its own. The escaping is kept small so that the markdown
 * still reads as text. Callers put it after their own words, a cell border, or a list or quote marker.
 */
export function escapeMarkdown(text: string): string {
  return (
    sanitize(text)
      .trim()
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      // Code spans, emphasis, strikethrough, links and images, table cells, e-mail autolinks, GitHub's $math$;
      // and the backslash itself.
      .replace(/[\\`*~[\]|@$]/g, '\\$&')
      // An underscore between two letters or digits cannot start or end emphasis: snake_case stays as it is.
      .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
      // GitHub links "https://…" and "www.…" by itself; an escape in the middle keeps them text.
      .replace(/:\/\//g, '\\://')
      .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}\\.`)
      // Where the text starts a list item or a quoted line, a heading, quote, list or rule marker would be read as one.
      .replace(/^[#>+=-]/, '\\$&')
      .replace(/^(\d+)([.)])/, '$1\\$2')
  )
}

/** Escapes text for the inside of an HTML block such as <pre>, where only HTML is interpreted. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** On one line, cut, then escaped (so that no escape is cut in half): the usual way outside text enters the summary. */
export function shown(text: string, max: number): string {
  return escapeMarkdown(clip(sanitize(text), max))
}
