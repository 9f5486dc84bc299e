/** The Node versions named in the repository agree: the runtime, the one CI and the tools use, the oldest supported. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../../testing/run-action.js'

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8')
const runtimeMajor = /^node(\d+)$/.exec((parse(read('action.yml')) as { runs: { using: string } }).runs.using)?.[1]

describe('the Node versions', () => {
  it('.node-version, which setup-node reads in every workflow, is the runtime action.yml declares', () => {
    expect(runtimeMajor).toBeDefined()
    expect(read('.node-version').trim()).toBe(runtimeMajor)
  })

  it('the Node that scripts/node24-path.sh fetches for Stryker, puppeteer-core and the Node 24 tests is that runtime', () => {
    expect(read('scripts/node24-path.sh')).toMatch(new RegExp(`^version=${runtimeMajor}\\.\\d+\\.\\d+$`, 'm'))
  })

  it('CI installs and tests on the oldest Node that package.json supports', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node
    const ci = parse(read('.github/workflows/ci.yml')) as { jobs: Record<string, { steps: Array<{ with?: { 'node-version'?: string } }> }> }
    const oldest = ci.jobs['oldest-node']?.steps.find((step) => step.with?.['node-version'])?.with?.['node-version']
    expect(engines.split(' ')[0]).toBe(`^${oldest}.0`)
  })
})
