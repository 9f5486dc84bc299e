// Joins the JSON reports of mutation runs over different parts of src/ into one report over all of it, for
// scripts/mutation-scores.mjs. Fails when a mutant is in two reports, and names each file that stryker.config.mjs
// mutates but no report has, so a new source file cannot drop out of the scores unnoticed. A file may come in
// line ranges from several reports (`--mutate src/x.ts:1-200`), as long as no mutant is in two.
// Usage: node scripts/merge-mutation-reports.mjs merged.json part-1.json part-2.json ...
import { globSync, readFileSync, writeFileSync } from 'node:fs'
import { matchesGlob, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [outPath, ...partPaths] = process.argv.slice(2)
if (!outPath || partPaths.length === 0) {
  console.error('Usage: node scripts/merge-mutation-reports.mjs merged.json part-1.json part-2.json ...')
  process.exit(2)
}
const parts = partPaths.map((path) => ({ path, report: JSON.parse(readFileSync(path, 'utf8')) }))

/** What makes a mutant the same one in two reports: its place and its change. */
function mutantKey({ location: { start, end }, mutatorName, replacement }) {
  return [start.line, start.column, end.line, end.column, mutatorName, replacement].join('\u0000')
}

// Test ids are numbered per run, so a test is known by its file and name across reports.
const merged = { ...parts[0].report, files: {}, testFiles: {} }
const mergedIds = new Map()
for (const { path, report } of parts) {
  const ids = new Map()
  for (const [file, testFile] of Object.entries(report.testFiles ?? {})) {
    const target = (merged.testFiles[file] ??= { ...testFile, tests: [] })
    for (const test of testFile.tests) {
      const key = `${file}\u0000${test.name}`
      if (!mergedIds.has(key)) {
        mergedIds.set(key, String(mergedIds.size))
        target.tests.push({ ...test, id: mergedIds.get(key) })
      }
      ids.set(test.id, mergedIds.get(key))
    }
  }
  const renumber = (list) => list?.map((id) => ids.get(id) ?? `${path}:${id}`)
  for (const [file, result] of Object.entries(report.files)) {
    const mutants = result.mutants.map((mutant) => ({
      ...mutant,
      id: `${path}:${mutant.id}`,
      coveredBy: renumber(mutant.coveredBy),
      killedBy: renumber(mutant.killedBy)
    }))
    const earlier = merged.files[file]
    if (!earlier) {
      merged.files[file] = { ...result, mutants }
      continue
    }
    // A large file may be split into line ranges (`--mutate src/x.ts:1-200`), one part each; a mutant in two
    // reports means two parts overlap, and one of them would be counted twice.
    const seen = new Set(earlier.mutants.map(mutantKey))
    const twice = mutants.find((mutant) => seen.has(mutantKey(mutant)))
    if (twice) {
      const { line, column } = twice.location.start
      console.error(`${file}:${line}:${column} is in more than one report (${path} among them): each mutant belongs to one part.`)
      process.exit(1)
    }
    earlier.mutants.push(...mutants)
  }
}

const { default: config } = await import(pathToFileURL(resolve('stryker.config.mjs')).href)
const included = config.mutate.filter((pattern) => !pattern.startsWith('!'))
const excluded = config.mutate.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1))
const expected = globSync(included)
  .map((file) => relative('.', file))
  .filter((file) => !excluded.some((pattern) => matchesGlob(file, pattern)))
const missing = expected.filter((file) => !(file in merged.files))
// Stryker leaves a file with no mutants (only types, such as src/hints.ts) out of its report, so this can only warn.
if (missing.length > 0) console.warn(`No mutants from ${missing.join(', ')}: unless a file holds only types, add it to a part.`)

writeFileSync(outPath, JSON.stringify(merged))
const mutants = Object.values(merged.files).reduce((sum, file) => sum + file.mutants.length, 0)
console.log(`Merged ${parts.length} reports: ${Object.keys(merged.files).length} files, ${mutants} mutants, into ${outPath}.`)
