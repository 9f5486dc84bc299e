/** The docs cannot drift: README, action.yml, the code's defaults, the examples and .env.example agree. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { readActionMetadata, renderReadme } from '../../scripts/docs.js'
import { ROOT } from '../../testing/run-action.js'
import { INPUT_DEFAULTS } from '../../src/settings/settings.js'
import { OUTPUT_NAMES } from '../../src/report/outputs.js'
import { ACTION_VERSION } from '../../src/shared/version.js'

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8')
const action = readActionMetadata()

describe('the documentation', () => {
  it('README tables and examples are what `npm run docs` writes from action.yml and examples/', () => {
    const readme = read('README.md')
    expect(renderReadme(readme)).toBe(readme)
  })

  it('README documents every input and output, with its default and description', () => {
    const readme = read('README.md')
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(readme).toContain(`| \`${name}\` | ${input.required ? '**required**' : input.default ? `\`${input.default}\`` : '—'} |`)
    }
    for (const name of Object.keys(action.outputs)) expect(readme).toContain(`| \`${name}\` |`)
  })

  it('action.yml describes every input, and gives a default to every optional one', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      expect([name, input.description?.length > 20]).toEqual([name, true])
      if (!input.required) expect([name, 'default' in input]).toEqual([name, true])
    }
    for (const [name, output] of Object.entries(action.outputs)) expect([name, output.description?.length > 10]).toEqual([name, true])
  })

  it("action.yml's defaults are the code's defaults", () => {
    const declared = Object.fromEntries(
      Object.entries(action.inputs)
        .filter(([name]) => name in INPUT_DEFAULTS)
        .map(([name, input]) => [name, input.default])
    )
    expect(declared).toEqual(INPUT_DEFAULTS)
    expect(action.inputs.api_key?.default).toBe('')
    expect(action.inputs.base_url?.default).toBe('')
  })

  it("action.yml's outputs are the ones the action sets", () => {
    expect(Object.keys(action.outputs)).toEqual([...OUTPUT_NAMES])
  })

  it('action.yml runs dist/index.js on node24', () => {
    const metadata = parse(read('action.yml')) as { runs: { using: string; main: string }; branding: object }
    expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(metadata.branding).toBeDefined()
  })

  it('.env.example sets every input', () => {
    const env = read('.env.example')
    for (const name of Object.keys(action.inputs)) expect(env).toMatch(new RegExp(`^INPUT_${name.toUpperCase()}=`, 'm'))
  })

  it('the composite example passes every output through and sets only real inputs', () => {
    const composite = parse(read('examples/composite/action.yml')) as {
      outputs: Record<string, { value: string }>
      runs: { using: string; steps: Array<{ id: string; with: Record<string, string> }> }
    }
    expect(composite.runs.using).toBe('composite')
    const [step] = composite.runs.steps
    for (const name of OUTPUT_NAMES) expect(composite.outputs[name]?.value).toBe(`\${{ steps.${step?.id}.outputs.${name} }}`)
    for (const name of Object.keys(step?.with ?? {})) expect(Object.keys(action.inputs)).toContain(name)
  })

  it('the User-Agent version is the package version', () => {
    expect(ACTION_VERSION).toBe((JSON.parse(read('package.json')) as { version: string }).version)
  })

  it('dist/licenses.txt names the bundled dependencies', () => {
    const licenses = read('dist/licenses.txt')
    for (const name of Object.keys((JSON.parse(read('package.json')) as { dependencies: object }).dependencies)) {
      expect(licenses).toContain(name)
    }
  })
})
