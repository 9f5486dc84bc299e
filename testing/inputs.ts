/** The action's inputs as tests give them: a reader over a record, and the inputs of a short run. */

/** Reads inputs from a record, as the action reads its INPUT_* variables: '' for an input not given. */
export const inputReader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? ''

/** Inputs scaled down so a run takes a second or two: one task, polled every 100 ms; the rest are action.yml's defaults. */
export function quickInputs(baseUrl: string, apiKey: string, extra: Record<string, string> = {}): Record<string, string> {
  return { task_id: 'task-1', api_key: apiKey, base_url: baseUrl, interval: '100ms', ...extra }
}
