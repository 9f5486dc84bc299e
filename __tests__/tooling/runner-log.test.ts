/** The action's stdout as the runner shows it, which is what `npm run demo` prints. */
import { runnerLog } from '../../scripts/runner-log.js'

describe('runnerLog', () => {
  it('hides ::add-mask:: lines and shows *** for the masked value in the lines after them', () => {
    const log = runnerLog(['Starting with key-1', '::add-mask::key-1', 'Asked with key-1 twice: key-1', 'Done.', ''].join('\n'))
    expect(log.lines).toEqual(['Starting with key-1', 'Asked with *** twice: ***', 'Done.'])
    expect(log.notes).toEqual([
      '(1 ::add-mask:: line hidden: the runner reads it as a command, prints nothing for it, and shows *** for that value from then on)'
    ])
  })

  it('hides ::debug:: lines, counted, and shows warnings and errors as they are', () => {
    const log = runnerLog(['::debug::poll 1', '::warning::slow', '::debug::poll 2', '::error::failed'].join('\n'))
    expect(log.lines).toEqual(['::warning::slow', '::error::failed'])
    expect(log.notes).toEqual(['(2 ::debug:: lines hidden: the runner shows them when step debug logging is on)'])
  })

  it('counts several ::add-mask:: lines, and adds no note when there is nothing to hide', () => {
    expect(runnerLog('::add-mask::a1\n::add-mask::b2\nboth a1 and b2').notes).toEqual([
      '(2 ::add-mask:: lines hidden: the runner reads them as commands, prints nothing for them, and shows *** for those values from then on)'
    ])
    expect(runnerLog('::add-mask::a1\n::add-mask::b2\nboth a1 and b2').lines).toEqual(['both *** and ***'])
    expect(runnerLog('plain\n')).toEqual({ lines: ['plain'], notes: [] })
  })
})
