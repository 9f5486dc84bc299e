// Photographs pages with Chromium, for `npm run docs:screenshots`: scripts/screenshots.ts renders the job
// summaries as GitHub shows them and checks the fonts; this takes the pictures. It sits next to puppeteer-core,
// which needs Node 22 or later and is installed into this folder on first use (scripts/tool-deps.sh).
// Usage: node tools/screenshots/photograph.mjs CHROMIUM PAGE.html=PICTURE.png [...]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer from 'puppeteer-core'

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

const [executablePath, ...shots] = process.argv.slice(2)
if (!executablePath || shots.length === 0 || !shots.every((shot) => /^[^=]+\.html=[^=]+\.png$/.test(shot))) {
  console.error('usage: node tools/screenshots/photograph.mjs CHROMIUM PAGE.html=PICTURE.png [...]')
  process.exit(2)
}

const profile = mkdtempSync(join(tmpdir(), 'summary-shots-'))
let browser
try {
  browser = await puppeteer.launch({
    executablePath,
    ignoreDefaultArgs: true,
    pipe: true,
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`]
  })
  const page = await browser.newPage()
  await page.setViewport({ width: 1000, height: 800, deviceScaleFactor: 1 })
  for (const shot of shots) {
    const [pagePath, picturePath] = shot.split('=')
    await page.setContent(readFileSync(pagePath, 'utf8'), { waitUntil: 'load' })
    const frame = await page.$('.frame')
    if (!frame) throw new Error(`${pagePath} has no summary frame (an element of class "frame") to photograph`)
    await frame.screenshot({ path: picturePath })
    console.log(`wrote ${picturePath}`)
  }
} finally {
  await browser?.close()
  rmSync(profile, { recursive: true, force: true })
}
