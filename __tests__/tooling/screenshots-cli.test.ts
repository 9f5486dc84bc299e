/** `npm run docs:screenshots` stops before taking pictures that would show empty boxes for the emoji. */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../../testing/run-action.js'
import { compileTools } from './compile-tools.js'

const BUILD = join(ROOT, '.build', 'tests', 'screenshots-cli')
const FONTLESS = join(BUILD, 'fontless-bin')

beforeAll(() => {
  compileTools('screenshots-cli')
  // An fc-list that knows no font, as on a machine with no emoji font installed.
  mkdirSync(FONTLESS, { recursive: true })
  writeFileSync(join(FONTLESS, 'fc-list'), '#!/bin/sh\nexit 0\n')
  chmodSync(join(FONTLESS, 'fc-list'), 0o755)
})

it('names the emoji no font can draw, and the package to install, in one line', () => {
  const run = spawnSync(process.execPath, [join(BUILD, 'scripts', 'screenshots.js')], {
    encoding: 'utf8',
    // Any existing file passes the Chromium check; the font check comes before Chromium is started.
    env: { ...process.env, PATH: `${FONTLESS}:${process.env.PATH ?? ''}`, CHROMIUM_PATH: process.execPath }
  })
  expect(run.status).toBe(1)
  expect(run.stderr).toMatch(
    /^No installed font has the emoji the summaries show \(✅ U\+2705, .+\), so Chromium would draw empty boxes\. Install an emoji font: apt-get install -y fonts-noto-color-emoji\n$/
  )
  expect(run.stdout).toBe('')
})
