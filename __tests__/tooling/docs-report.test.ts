/** What `npm run docs` says it did: nothing when the README is current, else each block it rewrote. */
import { docsReport } from '../../scripts/docs.js'

const readme = (inputs: string, example: string): string =>
  [
    '# Title',
    '<!-- inputs:start -->',
    inputs,
    '<!-- inputs:end -->',
    'Text between.',
    '<!-- example examples/deploy-gate.yml:start -->',
    example,
    '<!-- example examples/deploy-gate.yml:end -->',
    '<!-- benchmarks:start -->',
    '| 1s | 0.25 s |',
    '<!-- benchmarks:end -->',
    ''
  ].join('\n')

describe('npm run docs', () => {
  it('says the README is up to date when nothing changed', () => {
    const text = readme('| `task_id` | **required** |', 'run: true')
    expect(docsReport(text, text)).toBe('README.md is up to date: its tables and examples are what action.yml, examples/ and docs/ give.')
  })

  it('names each block it rewrote, and only those', () => {
    const before = readme('| `task_id` | **required** |', 'run: true')
    expect(docsReport(before, readme('| `task_id` | **required** | new |', 'run: true'))).toBe(
      'README.md: rewrote the inputs table (from action.yml).'
    )
    expect(docsReport(before, readme('| `task_id` | **required** | new |', 'run: false'))).toBe(
      'README.md: rewrote the inputs table (from action.yml), the example from examples/deploy-gate.yml.'
    )
  })
})
