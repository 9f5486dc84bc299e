/** Where the action's modules write what a user reads: the step's log (main.ts binds it to @actions/core). */
export interface Log {
  info(message: string): void
  /** An annotation on the run: for what a user should act on. */
  warning(message: string): void
  /** Shown only with step debug logging on. */
  debug(message: string): void
}
