/**
 * The scripted wait stream of testing/scripted-api.ts, which the benchmark's simulated self-hosted rows run on:
 * it must behave as the contract describes the server's stream, or those rows measure something else.
 */
import type { HintListener } from '../../src/wait/ports.js'
import { ScriptedHints } from '../../testing/scripted-api.js'
import { VirtualClock } from '../../testing/virtual-clock.js'

const plan = { timeLeftMs: 60_000, intervalMs: 500, maxIntervalMs: 30_000, hintedWaitMs: 450_000, runningTasks: () => 2 }

function listen(clock: VirtualClock): { listener: HintListener; seen: Array<[string, number]> } {
  const seen: Array<[string, number]> = []
  return {
    seen,
    listener: { hint: () => seen.push(['hint', clock.now()]), health: (healthy) => seen.push([`healthy: ${healthy}`, clock.now()]) }
  }
}

describe('the scripted wait stream', () => {
  it('sends its first frame a round trip after it starts, then one every interval; hints on each drop in the count; ends once none is active', async () => {
    const clock = new VirtualClock()
    const framesAt: number[] = []
    // Two tasks until 1 s, one until 2 s; each frame counts them half a round trip before it reaches the step.
    const activeTasks = (atMs: number): number => (framesAt.push(atMs), atMs < 1000 ? 2 : atMs < 2000 ? 1 : 0)
    const stream = new ScriptedHints(clock, { stream: { latencyMs: 100, activeTasks } })
    const { listener, seen } = listen(clock)
    stream.start(listener, plan)
    await clock.run(clock.sleep(10_000))
    expect(framesAt).toEqual([50, 550, 1050, 1550, 2050])
    expect(seen).toEqual([
      ['healthy: true', 100],
      ['hint', 1100],
      ['hint', 2100]
    ])
  })

  it('sends nothing once closed', async () => {
    const clock = new VirtualClock()
    const framesAt: number[] = []
    const stream = new ScriptedHints(clock, { stream: { latencyMs: 100, activeTasks: (atMs) => (framesAt.push(atMs), 1) } })
    const { listener, seen } = listen(clock)
    stream.start(listener, plan)
    clock.setTimer(300, () => stream.close())
    await clock.run(clock.sleep(10_000))
    expect(framesAt).toEqual([50])
    // The one frame says one task is active where the step thought two were: a hint.
    expect(seen).toEqual([
      ['healthy: true', 100],
      ['hint', 100]
    ])
  })
})
