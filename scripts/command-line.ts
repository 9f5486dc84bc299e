/**
 * The command lines of the repository's own tools (`npm run simulator`, `npm run demo`): one table of options per
 * tool, which parseArgs reads and --help is written from, so the help cannot leave an option out. A bad option
 * ends the tool with one line naming it, "see --help", and exit code 2, never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'

export interface CliOption {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  default?: string | boolean | string[]
  /** The value's placeholder in the help text. */
  value?: string
  /** The only values accepted; the help and the error name them. */
  choices?: readonly string[]
  description: string
}

export interface CommandLine {
  /** The tool's name, at the start of each error line. */
  name: string
  /** How to run it, the first line of the help. */
  usage: string
  /** What it does, the paragraph under the usage line. */
  about: readonly string[]
  options: Record<string, CliOption>
}

export function helpText({ usage, about, options }: CommandLine): string {
  const rows = Object.entries(options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`
    const fallback = typeof option.default === 'string' ? ` (default: ${option.default})` : ''
    return [flag, `${option.description}${fallback}`] as const
  })
  const width = Math.max(...rows.map(([flag]) => flag.length))
  return [`Usage: ${usage}`, '', ...about, '', 'Options:', ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`)].join('\n')
}

/** Ends the tool with one line on stderr and exit code 2: the line says what was wrong with the command line. */
export function fail(tool: Pick<CommandLine, 'name'>, message: string): never {
  console.error(`${tool.name}: ${message}`)
  process.exit(2)
}

function oneOf(choices: readonly string[]): string {
  return choices.length < 2 ? (choices[0] ?? '') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`
}

/**
 * Reads the command line (process.argv unless `args` is given) by the tool's table. Prints the help and exits 0
 * when --help is among the options; exits 2 with one line on an unknown option, a missing value or a value
 * that is not one of the option's choices.
 */
export function readCommandLine<Values>(tool: CommandLine, args?: string[]): Values {
  const config = Object.fromEntries(
    Object.entries(tool.options).map(([name, option]) => [
      name,
      {
        type: option.type,
        ...(option.default !== undefined ? { default: option.default } : {}),
        ...(option.short ? { short: option.short } : {}),
        ...(option.multiple ? { multiple: true } : {})
      }
    ])
  ) as ParseArgsConfig['options']
  let values: Record<string, unknown>
  try {
    values = parseArgs({ args, options: config, strict: true }).values
  } catch (error) {
    return fail(tool, `${error instanceof Error ? error.message : String(error)} (see --help)`)
  }
  if (values.help === true) {
    console.log(helpText(tool))
    process.exit(0)
  }
  for (const [name, option] of Object.entries(tool.options)) {
    const value = values[name]
    if (option.choices && typeof value === 'string' && !option.choices.includes(value)) {
      fail(tool, `--${name} must be ${oneOf(option.choices)}, got '${value}'`)
    }
  }
  return values as Values
}
