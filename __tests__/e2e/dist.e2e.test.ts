/**
 * The other end-to-end tests run the committed dist/. After a change to src/ they would test old code and
 * could pass or fail for reasons no longer in the sources: this says so, with the command that fixes it.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from '../../testing/run-action.js'

it('dist/ is built from the src/ there is now', () => {
  const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'dist-sources.mjs'), 'check'], { encoding: 'utf8' })
  expect(check.stderr).toBe('')
  expect(check.status).toBe(0)
})
