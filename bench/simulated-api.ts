import type { StatusOutcome, StatusSource } from '../src/wait/ports.js'
import type { VirtualClock } from '../testing/virtual-clock.js'

/**
 * The status source of a simulated run: answers after `latencyMs`, with the status at the answer's midpoint
 * (the moment the request reaches the server): `runningStatus` until the task's end, then `completed`.
 */
export class SimulatedApi implements StatusSource {
  requests = 0

  constructor(
    private readonly clock: VirtualClock,
    private readonly completesAt: number,
    private readonly latencyMs: number,
    private readonly runningStatus = 'running'
  ) {}

  getStatus(taskId: string): Promise<StatusOutcome> {
    this.requests++
    const sentAt = this.clock.now()
    return new Promise((resolve) =>
      this.clock.setTimer(this.latencyMs, () => {
        const status = sentAt + this.latencyMs / 2 >= this.completesAt ? 'completed' : this.runningStatus
        resolve({ kind: 'status', status, data: { task_id: taskId, status } })
      })
    )
  }
}
