/**
 * `npm run docs:screenshots`: renders typical job summaries the way GitHub shows them (see github-markdown.ts)
 * and photographs them with Debian's Chromium into docs/, for the README. Not part of the checks: it needs a
 * browser. CHROMIUM_PATH picks another Chromium build.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer, { type Browser } from 'puppeteer-core'
import { buildOutputs } from '../src/report/outputs.js'
import { buildErrorSummary, buildSummary } from '../src/report/summary.js'
import type { KeptWaitResult } from '../src/report/kept-data.js'
import { summaryPage } from './github-markdown.js'
import { ROOT } from '../testing/run-action.js'
import { batchWithProblems, CLOUD, oneTaskCompleted, TIMEOUT_MS, TWO_BAD_INPUTS } from './summary-examples.js'

const CHROMIUM_PATHS = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser']

/** Headless, as root in a container, and quiet: no sandbox, GPU, first-run screens or background traffic. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  '--remote-debugging-pipe'
]

function summaryOf(result: KeptWaitResult): string {
  return buildSummary(result, buildOutputs(result), { serverName: CLOUD, timeoutMs: TIMEOUT_MS, api: 'cloud' })
}

const SHOTS: Array<{ file: string; markdown: string }> = [
  { file: 'docs/summary-one-task.png', markdown: summaryOf(oneTaskCompleted()) },
  { file: 'docs/summary-batch.png', markdown: summaryOf(batchWithProblems()) },
  { file: 'docs/summary-input-error.png', markdown: buildErrorSummary(TWO_BAD_INPUTS) }
]

const executablePath = CHROMIUM_PATHS.find((path) => existsSync(path))
if (!executablePath) {
  console.error(
    `No Chromium found at ${CHROMIUM_PATHS.join(' or ')}. Install Debian's package (apt-get install -y chromium) ` +
      'or set CHROMIUM_PATH to a Chromium binary.'
  )
  process.exit(1)
}

const profile = mkdtempSync(join(tmpdir(), 'summary-shots-'))
let browser: Browser | undefined
try {
  browser = await puppeteer.launch({
    executablePath,
    ignoreDefaultArgs: true,
    pipe: true,
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`]
  })
  const page = await browser.newPage()
  await page.setViewport({ width: 1000, height: 800, deviceScaleFactor: 1 })
  for (const shot of SHOTS) {
    await page.setContent(summaryPage(shot.markdown, 'Wait for MemOS task summary'), { waitUntil: 'load' })
    const frame = await page.$('.frame')
    if (!frame) throw new Error('the rendered page has no summary frame')
    await frame.screenshot({ path: join(ROOT, shot.file) as `${string}.png` })
    console.log(`wrote ${shot.file}`)
  }
} finally {
  await browser?.close()
  rmSync(profile, { recursive: true, force: true })
}
