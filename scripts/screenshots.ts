/**
 * `npm run docs:screenshots`: renders typical job summaries the way GitHub shows them (see github-markdown.ts)
 * and photographs them with Debian's Chromium into docs/, for the README. Not part of the checks: it needs a
 * browser and an emoji font. CHROMIUM_PATH picks another Chromium build. The pictures are taken by
 * tools/screenshots/photograph.mjs, with puppeteer-core installed there on first use, on the Node 24 of
 * scripts/node24-path.sh (puppeteer-core needs Node 22 or later).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildOutputs } from '../src/report/outputs.js'
import { buildErrorSummary, buildSummary } from '../src/report/summary.js'
import type { KeptWaitResult } from '../src/report/kept-data.js'
import { summaryPage } from './github-markdown.js'
import { ROOT } from '../testing/run-action.js'
import { batchWithProblems, CLOUD, oneTaskCompleted, TIMEOUT_MS, TWO_BAD_INPUTS } from './summary-examples.js'

const CHROMIUM_PATHS = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser']
const EMOJI_FONT_PACKAGE = 'fonts-noto-color-emoji'

function summaryOf(result: KeptWaitResult): string {
  return buildSummary(result, buildOutputs(result), { serverName: CLOUD, timeoutMs: TIMEOUT_MS, api: 'cloud' })
}

const SHOTS: Array<{ name: string; markdown: string }> = [
  { name: 'summary-one-task', markdown: summaryOf(oneTaskCompleted()) },
  { name: 'summary-batch', markdown: summaryOf(batchWithProblems()) },
  { name: 'summary-input-error', markdown: buildErrorSummary(TWO_BAD_INPUTS) }
]

function stop(message: string): never {
  console.error(message)
  process.exit(1)
}

/**
 * The emoji of the summaries that no installed font can draw: Chromium would show each as an empty box.
 * fontconfig decides which fonts Chromium finds, so fontconfig's own `fc-list` is asked, one character at a time.
 */
function emojiWithoutFont(markdown: string): string[] {
  const emoji = [...new Set(markdown.match(/\p{Extended_Pictographic}/gu) ?? [])]
  return emoji.filter((character) => {
    const codePoint = (character.codePointAt(0) as number).toString(16)
    return execFileSync('fc-list', [`:charset=${codePoint}`, 'family'], { encoding: 'utf8' }).trim() === ''
  })
}

const executablePath = CHROMIUM_PATHS.find((path) => existsSync(path))
if (!executablePath) {
  stop(
    `No Chromium found at ${CHROMIUM_PATHS.join(' or ')}. Install Debian's package (apt-get install -y chromium) ` +
      'or set CHROMIUM_PATH to a Chromium binary.'
  )
}
if (spawnSync('fc-list', ['--version']).error) {
  stop('fc-list (fontconfig) is not installed, so the emoji fonts cannot be checked. Install it: apt-get install -y fontconfig')
}
const missing = emojiWithoutFont(SHOTS.map((shot) => shot.markdown).join('\n'))
if (missing.length > 0) {
  const named = missing.map((character) => `${character} U+${(character.codePointAt(0) as number).toString(16).toUpperCase()}`)
  stop(
    `No installed font has the emoji the summaries show (${named.join(', ')}), so Chromium would draw empty boxes. ` +
      `Install an emoji font: apt-get install -y ${EMOJI_FONT_PACKAGE}`
  )
}

const pages = join(ROOT, '.build', 'screenshots')
mkdirSync(pages, { recursive: true })
const pairs = SHOTS.map(({ name, markdown }) => {
  const page = join(pages, `${name}.html`)
  writeFileSync(page, summaryPage(markdown, 'Wait for MemOS task summary'))
  return `${page}=docs/${name}.png`
})

execFileSync('bash', [join(ROOT, 'scripts', 'tool-deps.sh'), 'screenshots'], { stdio: 'inherit' })
const node24 = execFileSync('bash', [join(ROOT, 'scripts', 'node24-path.sh')], { encoding: 'utf8' }).trim()
const photograph = spawnSync(node24, [join(ROOT, 'tools', 'screenshots', 'photograph.mjs'), executablePath, ...pairs], {
  cwd: ROOT,
  stdio: 'inherit'
})
process.exitCode = photograph.status ?? 1
