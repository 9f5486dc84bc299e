/**
 * Compiles the tools' TypeScript (src/, simulator/, scripts/, testing/) into a folder of .build/tests/ for a CLI test to run.
 * File by file, without type checking (`npm run typecheck` does that; tsconfig.json's isolatedModules makes
 * each file compile on its own): about a second, where tsc takes ten on a busy machine. Each test file has a
 * folder of its own, so two of them running side by side never rewrite a file the other is running.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import ts from 'typescript'
import { ROOT } from '../../testing/run-action.js'

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name)
    return entry.isDirectory() ? sourcesUnder(path) : entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Returns the folder, which holds src/, simulator/, scripts/ and testing/ as .js, as .build/ does after `npm run build:tools`. */
export function compileTools(name: string): string {
  const out = join(ROOT, '.build', 'tests', name)
  rmSync(out, { recursive: true, force: true })
  for (const file of ['src', 'simulator', 'scripts', 'testing'].flatMap(sourcesUnder)) {
    const { outputText } = ts.transpileModule(readFileSync(join(ROOT, file), 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 }
    })
    const target = join(out, file.replace(/\.ts$/, '.js'))
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, outputText)
  }
  return out
}
