/**
 * An action's stdout as the Actions runner shows it in the job log. The runner takes `::add-mask::VALUE` as a
 * command: it prints nothing for that line and shows *** for VALUE in every later line. `::debug::` lines appear
 * only with step debug logging on. Everything else is shown as it is, `::warning::` and `::error::` included.
 */
export interface RunnerLog {
  lines: string[]
  /** What was left out and why, one note per kind, for a reader who compares with the raw stdout. */
  notes: string[]
}

const MASK = '::add-mask::'
const DEBUG = '::debug::'

export function runnerLog(stdout: string): RunnerLog {
  const masked: string[] = []
  const lines: string[] = []
  let maskLines = 0
  let debugLines = 0
  for (const raw of stdout.replace(/\n$/, '').split('\n')) {
    if (raw.startsWith(MASK)) {
      maskLines++
      const value = raw.slice(MASK.length)
      if (value !== '') masked.push(value)
      continue
    }
    if (raw.startsWith(DEBUG)) {
      debugLines++
      continue
    }
    lines.push(masked.reduce((line, value) => line.split(value).join('***'), raw))
  }
  const notes: string[] = []
  if (maskLines === 1) {
    notes.push(
      '(1 ::add-mask:: line hidden: the runner reads it as a command, prints nothing for it, and shows *** for that value from then on)'
    )
  } else if (maskLines > 1) {
    notes.push(
      `(${maskLines} ::add-mask:: lines hidden: the runner reads them as commands, prints nothing for them, and shows *** for those values from then on)`
    )
  }
  if (debugLines > 0) notes.push(`(${debugLines} ::debug:: lines hidden: the runner shows them when step debug logging is on)`)
  return { lines, notes }
}
