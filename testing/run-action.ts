/**
 * Runs the built action (dist/index.js) the way the Actions runner does: inputs as INPUT_* variables
 * (action.yml defaults included), and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files that are parsed back.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const here = fileURLToPath(new URL('.', import.meta.url))
const build = `${sep}.build${sep}`
/** The repository root, whether this file runs from testing/ (tests) or from a build in .build/ (demo, bench, CLI tests). */
export const ROOT = here.includes(build) ? here.slice(0, here.indexOf(build)) : resolve(here, '..')
export const DIST = join(ROOT, 'dist', 'index.js')

/** The Node that runs the action: E2E_NODE (for example a Node 24 binary), else the one running the tests. */
export const NODE = process.env.E2E_NODE || process.execPath
export const NODE_VERSION = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim()

interface ActionInput {
  default?: string
}

export function actionDefaults(): Record<string, string> {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, ActionInput> }
  const defaults: Record<string, string> = {}
  for (const [name, input] of Object.entries(action.inputs)) {
    if (input.default !== undefined) defaults[name] = String(input.default)
  }
  return defaults
}

/** Reads a GITHUB_OUTPUT file: `name<<delimiter`, the value lines, then the delimiter. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!match) continue
    const [, name, delimiter] = match as unknown as [string, string, string]
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '')
    outputs[name] = value.join('\n')
  }
  return outputs
}

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  elapsedMs: number
  /** Milliseconds from sending the signal to the exit, when a signal was sent. */
  exitAfterSignalMs: number | undefined
}

export interface RunOptions {
  inputs: Record<string, string>
  env?: Record<string, string>
  /** Send this signal once stdout contains `when` (or right away). */
  signal?: { name: NodeJS.Signals; when: string }
  /** Make the summary file unwritable, as on a broken runner. */
  summaryPath?: string
}

export async function runAction({ inputs, env = {}, signal, summaryPath }: RunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'memos-action-'))
  const outputPath = join(dir, 'output')
  const summaryFile = summaryPath ?? join(dir, 'summary')
  writeFileSync(outputPath, '')
  if (!summaryPath) writeFileSync(summaryFile, '')
  const inputEnv: Record<string, string> = {}
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) {
    inputEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  const started = performance.now()
  const child = spawn(NODE, [DIST], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      RUNNER_TEMP: dir,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...inputEnv,
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  let signalSentAt: number | undefined
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    if (signal && signalSentAt === undefined && stdout.includes(signal.when)) {
      signalSentAt = performance.now()
      child.kill(signal.name)
    }
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  let ended = 0
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on('exit', (exitCode, killSignal) => {
      ended = performance.now()
      done([exitCode, killSignal])
    })
  )
  // 'close' (all output read) may come right after 'exit': listen for both from the start.
  const closed = new Promise((done) => child.on('close', done))
  const [[code, exitSignal]] = await Promise.all([exited, closed])
  let summary = ''
  try {
    summary = readFileSync(summaryFile, 'utf8')
  } catch {
    summary = ''
  }
  const outputs = parseOutputFile(readFileSync(outputPath, 'utf8'))
  rmSync(dir, { recursive: true, force: true })
  return {
    code,
    signal: exitSignal,
    stdout,
    stderr,
    outputs,
    summary,
    elapsedMs: ended - started,
    exitAfterSignalMs: signalSentAt === undefined ? undefined : ended - signalSentAt
  }
}
