/**
 * The README's inputs and outputs tables, and its example workflows, come from action.yml and examples/.
 * `npm run docs` rewrites them and says which changed; a test fails when the README has drifted from what this would write.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../testing/run-action.js'

interface ActionMetadata {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}

export function readActionMetadata(): ActionMetadata {
  return parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionMetadata
}

function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')
}

export function inputsTable(action: ActionMetadata): string {
  const rows = Object.entries(action.inputs).map(([name, input]) => {
    const fallback = input.required ? '**required**' : input.default ? `\`${input.default}\`` : '—'
    return `| \`${name}\` | ${fallback} | ${cell(input.description)} |`
  })
  return ['| Input | Default | Description |', '| --- | --- | --- |', ...rows].join('\n')
}

export function outputsTable(action: ActionMetadata): string {
  const rows = Object.entries(action.outputs).map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`)
  return ['| Output | Description |', '| --- | --- |', ...rows].join('\n')
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
function replaceBlock(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} block`)
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`
}

/** The README as `npm run docs` would write it. */
export function renderReadme(readme: string): string {
  const action = readActionMetadata()
  let text = replaceBlock(readme, 'inputs', inputsTable(action))
  text = replaceBlock(text, 'outputs', outputsTable(action))
  const benchmarks = join(ROOT, 'docs', 'benchmark-table.md')
  if (existsSync(benchmarks)) text = replaceBlock(text, 'benchmarks', readFileSync(benchmarks, 'utf8').trimEnd())
  for (const match of readme.matchAll(/<!-- (example [\w./-]+):start -->/g)) {
    const name = match[1] as string
    const file = name.slice('example '.length)
    text = replaceBlock(text, name, `\`\`\`yaml\n${readFileSync(join(ROOT, file), 'utf8').trimEnd()}\n\`\`\``)
  }
  return text
}

/** The text of each `<!-- NAME:start -->` … `<!-- NAME:end -->` block, by name. */
function blocks(text: string): Map<string, string> {
  return new Map(
    [...text.matchAll(/<!-- ([\w ./-]+):start -->([\s\S]*?)<!-- \1:end -->/g)].map((match) => [match[1] as string, match[2] as string])
  )
}

function blockTitle(name: string): string {
  if (name.startsWith('example ')) return `the example from ${name.slice('example '.length)}`
  return name === 'benchmarks' ? 'the benchmark tables (from docs/benchmark-table.md)' : `the ${name} table (from action.yml)`
}

/** What `npm run docs` says, given the README before and after: up to date, or which blocks it rewrote. */
export function docsReport(before: string, after: string): string {
  if (before === after) return 'README.md is up to date: its tables and examples are what action.yml, examples/ and docs/ give.'
  const old = blocks(before)
  const changed = [...blocks(after)].filter(([name, body]) => old.get(name) !== body).map(([name]) => blockTitle(name))
  return `README.md: rewrote ${changed.join(', ')}.`
}

if (process.argv[1]?.endsWith('docs.js')) {
  const path = join(ROOT, 'README.md')
  const before = readFileSync(path, 'utf8')
  const after = renderReadme(before)
  if (after !== before) writeFileSync(path, after)
  console.log(docsReport(before, after))
}
