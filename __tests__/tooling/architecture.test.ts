/**
 * The graph in docs/architecture.md cannot go stale: the dot kept beside the SVG is what the imports of src/
 * give now, and the SVG is that dot rendered. `npm run docs:graph` redraws both.
 */
import { readFileSync } from 'node:fs'
import { architectureDot, DOT_PATH, renderSvg, SVG_PATH } from '../../scripts/architecture.js'

describe('the architecture graph', () => {
  it('docs/architecture.dot is the graph of the imports of src/ as they are now', () => {
    expect(architectureDot()).toBe(readFileSync(DOT_PATH, 'utf8'))
  })

  it('docs/architecture.svg is that graph, rendered', async () => {
    expect(await renderSvg(readFileSync(DOT_PATH, 'utf8'))).toBe(readFileSync(SVG_PATH, 'utf8'))
  })
})
