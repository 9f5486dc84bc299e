/**
 * `npm run docs:graph`: the graph of src/ in docs/architecture.md, drawn from the imports. dependency-cruiser
 * writes it as dot with the same config the lint rules use (.dependency-cruiser.mjs); Graphviz compiled to
 * WebAssembly (@viz-js/viz, pinned in package.json) renders it, so the same sources give the same bytes on any
 * machine and no system package is needed. The dot is kept beside the SVG: a test compares it with a fresh run,
 * which tells when the graph is stale without rendering anything.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { instance } from '@viz-js/viz'
import { ROOT } from '../testing/run-action.js'

export const DOT_PATH = join(ROOT, 'docs', 'architecture.dot')
export const SVG_PATH = join(ROOT, 'docs', 'architecture.svg')
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')

/** The imports between the modules of src/, as dot, folders as clusters. */
export function architectureDot(): string {
  return execFileSync(process.execPath, [DEPCRUISE, 'src', '--include-only', '^src/', '--output-type', 'dot'], {
    cwd: ROOT,
    encoding: 'utf8'
  })
}

export async function renderSvg(dot: string): Promise<string> {
  return (await instance()).renderString(dot, { format: 'svg' })
}

if (process.argv[1]?.endsWith('architecture.js')) {
  const dot = architectureDot()
  writeFileSync(DOT_PATH, dot)
  writeFileSync(SVG_PATH, await renderSvg(dot))
  console.log('docs/architecture.dot and docs/architecture.svg: drawn from the imports of src/.')
}
