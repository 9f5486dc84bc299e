/**
 * Renders markdown the way GitHub shows a job summary: GitHub-flavoured markdown with raw HTML, then GitHub's
 * HTML sanitising. The tests assert on what this shows, `npm run demo` writes it as a page, and
 * `npm run docs:screenshots` photographs it.
 *
 * GitHub's production renderer is not public. This is an approximation built from public facts:
 * - markdown-it with tables, strikethrough and raw HTML stands in for cmark-gfm;
 * - autolinks as GFM defines them: http(s):// and www. links and e-mail addresses (not bare domains, not //host);
 * - the allowlist below follows the sanitization filter of GitHub's html-pipeline (elements, attributes, URL
 *   schemes; script contents dropped); tables keep cmark-gfm's `align` attribute instead of a style.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import MarkdownIt from 'markdown-it'
import sanitizeHtml from 'sanitize-html'

const markdown = new MarkdownIt({ html: true, linkify: true })
markdown.linkify.set({ fuzzyLink: false, fuzzyEmail: true })
// GFM does not link protocol-relative "//host"; it does link "www.host".
markdown.linkify.add('//', null)
markdown.linkify.add('www.', {
  validate: (text, pos) => /^[\w-]+(?:\.[\w-]+)+[^\s<]*/.exec(text.slice(pos))?.[0].length ?? 0,
  normalize: (match) => {
    match.url = `http://${match.url}`
  }
})

const ALLOWED_TAGS = [
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'br', 'b', 'i', 'strong', 'em', 'a', 'pre', 'code', 'img', 'tt'],
  ...['div', 'ins', 'del', 'sup', 'sub', 'p', 'ol', 'ul', 'table', 'thead', 'tbody', 'tfoot', 'blockquote'],
  ...['dl', 'dt', 'dd', 'kbd', 'q', 'samp', 'var', 'hr', 'ruby', 'rt', 'rp', 'li', 'tr', 'td', 'th', 's', 'strike'],
  ...['summary', 'details']
]

const ANY_ELEMENT_ATTRIBUTES = [
  ...['abbr', 'accept', 'accept-charset', 'accesskey', 'action', 'align', 'alt', 'axis', 'border', 'cellpadding'],
  ...['cellspacing', 'char', 'charoff', 'charset', 'checked', 'clear', 'cols', 'colspan', 'color', 'compact'],
  ...['coords', 'datetime', 'dir', 'disabled', 'enctype', 'for', 'frame', 'headers', 'height', 'hreflang', 'hspace'],
  ...['ismap', 'label', 'lang', 'maxlength', 'media', 'method', 'multiple', 'name', 'nohref', 'noshade', 'nowrap'],
  ...['open', 'prompt', 'readonly', 'rel', 'rev', 'rows', 'rowspan', 'rules', 'scope', 'selected', 'shape', 'size'],
  ...['span', 'start', 'summary', 'tabindex', 'target', 'title', 'type', 'usemap', 'valign', 'value', 'vspace'],
  ...['width', 'itemprop']
]

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    a: ['href'],
    img: ['src', 'longdesc'],
    div: ['itemscope', 'itemtype'],
    blockquote: ['cite'],
    del: ['cite'],
    ins: ['cite'],
    q: ['cite'],
    '*': ANY_ELEMENT_ATTRIBUTES
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'longdesc'],
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext'],
  transformTags: { th: alignFromStyle, td: alignFromStyle }
}

/** markdown-it aligns table cells with a style attribute; cmark-gfm, whose output GitHub sanitises, with `align`. */
function alignFromStyle(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const align = /text-align:\s*(left|right|center)/.exec(attribs.style ?? '')?.[1]
  const { style: _style, ...rest } = attribs
  return { tagName, attribs: align ? { ...rest, align } : rest }
}

/** The HTML fragment GitHub would show for this markdown. */
export function renderGitHubMarkdown(text: string): string {
  return sanitizeHtml(markdown.render(text), SANITIZE)
}

const require = createRequire(import.meta.url)

/** A whole page: the rendered summary in GitHub's markdown stylesheet, framed like a job summary. */
export function summaryPage(text: string, title: string): string {
  const css = readFileSync(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(title)}</title>
<style>
${css}
body { margin: 0; background: #f6f8fa; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.frame { max-width: 920px; margin: 24px auto; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
.frame > header { padding: 12px 24px; border-bottom: 1px solid #d1d9e0; font-size: 14px; font-weight: 600; color: #1f2328; }
.frame > .markdown-body { padding: 16px 24px 24px; }
</style>
</head>
<body>
<div class="frame">
<header>${escapeText(title)}</header>
<article class="markdown-body">
${renderGitHubMarkdown(text)}
</article>
</div>
</body>
</html>
`
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
