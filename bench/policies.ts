/**
 * The polling policies the action is compared with, run against the same status source and clock as the
 * action's own poller, so only the schedule differs:
 * - fixed 5 s and 10 s: the defaults of the waiting actions on the marketplace;
 * - fixed 0.5 s: the open-source MemOS server's own wait loop;
 * - AWS SDK waiter style: 2 s to 120 s, exponential with jitter (each wait drawn between the minimum and a
 *   doubling ceiling, then the maximum once the ceiling passes it).
 */
import type { Clock } from '../src/shared/clock.js'
import type { StatusSource } from '../src/wait/ports.js'

export interface Policy {
  name: string
  /** The wait after `polls` polls (1 after the first). */
  delay(polls: number, random: () => number): number
}

export function fixedPolicy(name: string, ms: number): Policy {
  return { name, delay: () => ms }
}

export function awsWaiterPolicy(minMs: number, maxMs: number): Policy {
  const ceiling = Math.log2(maxMs / minMs) + 1
  return {
    name: `AWS waiter ${minMs / 1000}–${maxMs / 1000} s`,
    delay(polls, random) {
      if (polls > ceiling) return maxMs
      const top = minMs * 2 ** (polls - 1)
      return minMs + random() * (top - minMs)
    }
  }
}

export const COMPETITORS: Policy[] = [
  fixedPolicy('fixed 0.5 s (MemOS server)', 500),
  fixedPolicy('fixed 5 s', 5000),
  fixedPolicy('fixed 10 s', 10_000),
  awsWaiterPolicy(2000, 120_000)
]

const TERMINAL = new Set(['completed', 'failed'])

/** Polls once at once, then after each policy wait, until the task is terminal or `limitMs` passes. */
export async function pollWithPolicy(
  policy: Policy,
  source: StatusSource,
  clock: Clock,
  taskId: string,
  random: () => number,
  limitMs: number
): Promise<void> {
  const start = clock.now()
  const signal = new AbortController().signal
  for (let polls = 1; clock.now() - start < limitMs; polls++) {
    const outcome = await source.getStatus(taskId, { timeoutMs: 30_000, signal })
    if (outcome.kind === 'status' && TERMINAL.has(outcome.status)) return
    await new Promise<void>((resolve) => clock.setTimer(policy.delay(polls, random), resolve))
  }
}
