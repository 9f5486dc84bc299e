// `npm run docs:graph`: the graph of src/ in docs/architecture.md, drawn from the imports. dependency-cruiser
// writes it as dot with the config its lint rules use (.dependency-cruiser.mjs); Graphviz compiled to WebAssembly
// (@viz-js/viz, pinned in package.json) renders it, so the same sources give the same bytes on any machine and no
// system package is needed. The dot is kept beside the SVG so that `--check` (run by `npm run lint`) can tell a
// stale graph cheaply: it compares the dot with a fresh run, and the SVG with the dot's rendering.
// Usage: node scripts/architecture.mjs [--check]
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { instance } from '@viz-js/viz'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dotPath = join(root, 'docs', 'architecture.dot')
const svgPath = join(root, 'docs', 'architecture.svg')
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')

const dot = execFileSync(process.execPath, [depcruise, 'src', '--include-only', '^src/', '--output-type', 'dot'], {
  cwd: root,
  encoding: 'utf8'
})
const svg = (await instance()).renderString(dot, { format: 'svg' })

if (process.argv.includes('--check')) {
  const stale = [
    [dotPath, dot],
    [svgPath, svg]
  ].filter(([path, fresh]) => readFileSync(path, 'utf8') !== fresh)
  if (stale.length > 0) {
    console.error(
      `${stale.map(([path]) => path.slice(root.length + 1)).join(' and ')}: stale, not what the imports of src/ draw now. Run npm run docs:graph.`
    )
    process.exit(1)
  }
  console.log('docs/architecture.svg: the imports of src/ as they are.')
} else {
  writeFileSync(dotPath, dot)
  writeFileSync(svgPath, svg)
  console.log('docs/architecture.dot and docs/architecture.svg: drawn from the imports of src/.')
}
