import { systemClock } from '../../src/shared/clock.js'
import { sleep } from '../../testing/until.js'

describe('the system clock', () => {
  it('fires a timer after its time, and never once it is cancelled', async () => {
    const fired: string[] = []
    systemClock.setTimer(5, () => fired.push('kept'))
    const cancel = systemClock.setTimer(5, () => fired.push('cancelled'))
    cancel()
    const started = systemClock.now()
    await sleep(40)
    expect(fired).toEqual(['kept'])
    expect(systemClock.now() - started).toBeGreaterThanOrEqual(30)
  })
})
