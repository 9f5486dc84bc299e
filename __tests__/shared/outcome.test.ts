import { RequestAbortedError } from '../../src/shared/outcome.js'

describe('the error of an aborted request', () => {
  it('is an Error that says what happened wherever it is printed', () => {
    const error = new RequestAbortedError()
    expect(error).toBeInstanceOf(Error)
    expect(String(error)).toBe('RequestAbortedError: request aborted')
  })
})
