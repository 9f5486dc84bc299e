/**
 * The weekly mutation workflow runs src/ in parts (.github/workflows/mutation.yml): each file Stryker mutates
 * must be in exactly one part, or the week's scores leave it out (or Stryker stops on a path that is gone).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'
import { ROOT } from '../../testing/run-action.js'

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`
    return entry.isDirectory() ? sourcesUnder(path) : entry.name.endsWith('.ts') ? [path] : []
  })
}

/**
 * The files a part's pattern names: a path as it is, or a glob as Stryker reads it (`*` within a folder, `**\/` any
 * folders), matched against the files there are. Node 20 has no glob matcher of its own.
 */
function filesOf(pattern: string, files: string[]): string[] {
  if (!pattern.includes('*')) return [pattern]
  const source = pattern
    .split('**/')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('(?:.*/)?')
  const glob = new RegExp(`^${source}$`)
  return files.filter((file) => glob.test(file))
}

it('puts every file that stryker.config.mjs mutates in exactly one part of the weekly workflow', async () => {
  const config = (await import(pathToFileURL(join(ROOT, 'stryker.config.mjs')).href)) as { default: { mutate: string[] } }
  const [included, ...excluded] = config.default.mutate
  // The check below reads the patterns as "all of src/, less these files"; a new kind of pattern needs a new check.
  expect(included).toBe('src/**/*.ts')
  for (const pattern of excluded) expect(pattern).toMatch(/^!src\/[\w/.-]+\.ts$/)
  const mutated = sourcesUnder('src')
    .filter((file) => !excluded.includes(`!${file}`))
    .sort()

  const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'mutation.yml'), 'utf8')) as {
    jobs: { part: { strategy: { matrix: { part: Array<{ files: string }> } } } }
  }
  const inParts = workflow.jobs.part.strategy.matrix.part.flatMap((part) =>
    part.files.split(',').flatMap((pattern) => filesOf(pattern, mutated))
  )
  expect([...inParts].sort()).toEqual(mutated)
})
