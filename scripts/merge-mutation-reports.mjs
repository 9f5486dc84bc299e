// Joins the JSON reports of mutation runs over different parts of src/ into one report over all of it, for
// scripts/mutation-scores.mjs. Fails when a file is in two reports, and names each file that stryker.config.mjs
// mutates but no report has, so a new source file cannot drop out of the scores unnoticed.
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
    if (merged.files[file]) {
      console.error(`${file} is in more than one report (${path} among them): each file belongs to one part.`)
      process.exit(1)
    }
    merged.files[file] = {
      ...result,
      mutants: result.mutants.map((mutant) => ({ ...mutant, coveredBy: renumber(mutant.coveredBy), killedBy: renumber(mutant.killedBy) }))
    }
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
