/** Waiting on real time, for the tests that talk to real servers: a sleep, and a wait for a condition. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Checks `condition` every 10 ms until it holds; fails, naming `what`, if it still does not after `withinMs`. */
export async function until(condition: () => boolean, what = 'the condition', withinMs = 15_000): Promise<void> {
  const deadline = performance.now() + withinMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what} after ${withinMs}ms`)
    await sleep(10)
  }
}
