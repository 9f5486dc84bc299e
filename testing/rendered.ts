/**
 * What a reader sees of a job summary: it is rendered as GitHub renders it (scripts/github-markdown.ts), then
 * read back as tables, lines of text, and what stays visible while every fold is closed.
 */
import type { ChildNode, Document, Element } from 'domhandler'
import { DomUtils, parseDocument } from 'htmlparser2'
import { renderGitHubMarkdown } from '../scripts/github-markdown.js'

export interface Table {
  header: string[]
  rows: string[][]
  /** Whether the table sits inside a <details> fold. */
  folded: boolean
}

export interface Rendered {
  html: string
  /** Elements of these names anywhere on the page. */
  count(name: string): number
  headings(): string[]
  tables(): Table[]
  /** The text of each block: paragraph, list item, table cell, heading, fold title. */
  lines(): string[]
  /** Elements of this name outside any fold. */
  unfoldedCount(name: string): number
  /** All the text shown while every fold is closed (their titles included). */
  visibleText(): string
}

const INLINE = new Set(['a', 'b', 'i', 'strong', 'em', 'code', 'sub', 'sup', 'del', 's', 'kbd', 'tt'])
const BLOCKS = new Set(['p', 'li', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'summary', 'blockquote'])

export function render(markdown: string): Rendered {
  const html = renderGitHubMarkdown(markdown)
  const doc = parseDocument(html)
  const elements = (name: string): Element[] => DomUtils.getElementsByTagName(name, doc)
  return {
    html,
    count: (name) => elements(name).length,
    headings: () => ['h1', 'h2', 'h3'].flatMap((name) => elements(name).map(text)),
    tables: () => elements('table').map(readTable),
    lines: () => DomUtils.findAll((el) => BLOCKS.has(el.name) && !hasBlockChild(el), doc.children).map(text),
    unfoldedCount: (name) => elements(name).filter((el) => !insideFold(el)).length,
    visibleText: () => visible(doc)
  }
}

function readTable(table: Element): Table {
  const rows = DomUtils.getElementsByTagName('tr', table).map((row) =>
    DomUtils.getChildren(row)
      .filter((cell): cell is Element => 'name' in cell && (cell.name === 'td' || cell.name === 'th'))
      .map(text)
  )
  const [header = [], ...body] = rows
  return { header, rows: body, folded: insideFold(table) }
}

function insideFold(node: ChildNode): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if ('name' in parent && parent.name === 'details') return true
  }
  return false
}

function hasBlockChild(el: Element): boolean {
  return DomUtils.findOne((child) => BLOCKS.has(child.name), el.children) !== null
}

function text(node: ChildNode): string {
  return DomUtils.textContent(node).replace(/\s+/g, ' ').trim()
}

/** Text of the page with each closed fold reduced to its title. */
function visible(node: Document | ChildNode): string {
  if (node.type === 'tag' && node.name === 'details') {
    const title = DomUtils.findOne((el) => el.name === 'summary', node.children, false)
    return title ? ` ${text(title)} ` : ''
  }
  if ('children' in node) {
    const inner = node.children.map(visible).join('')
    return 'name' in node && !INLINE.has(node.name) ? ` ${inner} ` : inner
  }
  return 'data' in node && node.type === 'text' ? node.data : ''
}
