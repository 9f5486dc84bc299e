/** The log lines of a batch that are about the batch: each task's label, and a progress line at most every 5 s. */
import { formatDuration } from '../shared/duration.js'
import type { Log } from '../shared/log.js'
import type { OutageLog } from './outage-log.js'
import type { TaskState } from './task-state.js'

/** A batch logs a progress line at most this often. */
const PROGRESS_EVERY_MS = 5000

export class ProgressLog {
  private readonly batch: boolean
  private lastAt = 0

  constructor(
    private readonly log: Log,
    private readonly tasks: readonly TaskState[],
    private readonly outages: OutageLog
  ) {
    this.batch = tasks.length > 1
  }

  start(now: number): void {
    this.lastAt = now
  }

  /** "[task-1] " in a batch, where each line must say which task it is about; nothing for one task. */
  label(task: TaskState): string {
    return this.batch ? `[${task.taskId}] ` : ''
  }

  /** "12/40 done, 1 failed, 35s", with the outage under way if any, when 5 s have passed since the last. */
  tick(now: number, start: number): void {
    if (!this.batch || now - this.lastAt < PROGRESS_EVERY_MS) return
    this.lastAt = now
    const done = this.tasks.filter((task) => task.conclusion !== undefined)
    const failed = done.filter((task) => task.conclusion !== 'success').length
    this.log.info(
      `${done.length}/${this.tasks.length} done, ${failed} failed, ${formatDuration(now - start)}${this.outages.progressNote(now)}`
    )
  }
}
