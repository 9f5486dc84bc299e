/**
 * Errors as Node, OpenSSL and undici raise them, for the cases the behaviour tests cannot produce on loopback
 * (a revoked certificate, a DNS server that fails, a slow handshake). Each is judged by its code.
 */
import { classifyNetworkError } from '../src/network-errors.js'

function nodeError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields)
}

const direct = { server: 'memos.example:443' }
const proxied = { server: 'memos.example:443', proxy: 'proxy.corp:3128' }

describe('failures that stop the run on the first attempt', () => {
  it.each([
    ['an issuer the runner does not have', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', /is not trusted .*NODE_EXTRA_CA_CERTS/],
    ['a self-signed certificate in the chain', 'SELF_SIGNED_CERT_IN_CHAIN', /is not trusted .*NODE_EXTRA_CA_CERTS/],
    ['a certificate that is not valid yet', 'CERT_NOT_YET_VALID', /is not valid yet .*runner's clock/],
    ['a revoked certificate', 'CERT_REVOKED', /has been revoked/],
    ['a name mismatch found by OpenSSL', 'HOSTNAME_MISMATCH', /is for another name/],
    ['a chain that is too long', 'CERT_CHAIN_TOO_LONG', /was rejected/],
    ['a certificate for another purpose', 'INVALID_PURPOSE', /was rejected/]
  ])('%s (%s)', (_name, code, message) => {
    const outcome = classifyNetworkError(nodeError('certificate problem', { code }), direct)
    expect(outcome).toMatchObject({ kind: 'fatal', scope: 'run' })
    expect(outcome.kind === 'fatal' && outcome.reason).toMatch(new RegExp(`^The certificate of memos\\.example:443 .*\\(${code}: `))
    expect(outcome.kind === 'fatal' && outcome.reason).toMatch(message)
  })

  it.each([
    [
      'an OpenSSL alert with library and reason',
      { code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', library: 'SSL routines', reason: 'tlsv1 alert protocol version' }
    ],
    ['an EPROTO from the socket', { code: 'EPROTO' }],
    ['a TLS protocol version Node refuses', { code: 'ERR_TLS_INVALID_PROTOCOL_VERSION' }]
  ])('a failed handshake: %s', (_name, fields) => {
    const message = 'C0B7:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:ssl/record/rec_layer_s3.c:1593:\n'
    const outcome = classifyNetworkError(nodeError(message, fields), direct)
    expect(outcome).toMatchObject({ kind: 'fatal', scope: 'run' })
    expect(outcome.kind === 'fatal' && outcome.reason).toMatch(/^The TLS handshake with memos\.example:443 failed \(/)
    expect(outcome.kind === 'fatal' && outcome.reason).not.toContain('\n')
  })

  it('a host that does not exist, named', () => {
    const error = nodeError('getaddrinfo ENOTFOUND memos.exampel', { code: 'ENOTFOUND', hostname: 'memos.exampel' })
    expect(classifyNetworkError(error, { server: 'memos.exampel' })).toMatchObject({
      kind: 'fatal',
      reason: expect.stringMatching(/^'base_url' names a host that does not exist: 'memos\.exampel'/)
    })
  })

  it('a proxy host that does not exist, named as the proxy', () => {
    const error = nodeError('getaddrinfo ENOTFOUND proxy.corp', { code: 'ENOTFOUND', hostname: 'proxy.corp' })
    expect(classifyNetworkError(error, proxied)).toMatchObject({
      kind: 'fatal',
      reason: expect.stringMatching(/^The proxy host 'proxy\.corp' does not exist/)
    })
  })

  it('a proxy that forbids the destination', () => {
    const error = nodeError('Proxy response (403) !== 200 when HTTP Tunneling', { code: 'UND_ERR_ABORTED' })
    expect(classifyNetworkError(error, proxied)).toMatchObject({ kind: 'fatal', reason: expect.stringContaining('HTTP 403') })
  })
})

describe('failures that are retried, with the server named for "never reached"', () => {
  it.each([
    ['a slow TLS handshake', { code: 'ERR_TLS_HANDSHAKE_TIMEOUT' }, 'network error'],
    ['a DNS server that fails for now', { code: 'EAI_AGAIN', hostname: 'memos.example' }, 'DNS lookup failed'],
    ['a reset connection', { code: 'ECONNRESET' }, 'connection reset'],
    ['a connect timeout in undici', { code: 'UND_ERR_CONNECT_TIMEOUT' }, 'connection timed out'],
    ['an unreachable network', { code: 'ENETUNREACH' }, 'network unreachable']
  ])('%s', (_name, fields, problem) => {
    const outcome = classifyNetworkError(nodeError('failed', fields), direct)
    expect(outcome).toMatchObject({ kind: 'transient', problem, unreached: 'memos.example:443' })
  })

  it('a refused connection inside an AggregateError (IPv6 and IPv4 tried), with the starting-server hint', () => {
    const refused = (address: string): Error =>
      nodeError(`connect ECONNREFUSED ${address}:8000`, { code: 'ECONNREFUSED', address, port: 8000 })
    const error = Object.assign(new AggregateError([refused('::1'), refused('127.0.0.1')], ''), { code: 'ECONNREFUSED' })
    expect(classifyNetworkError(error, { server: 'localhost:8000' })).toMatchObject({
      kind: 'transient',
      reason: 'connection refused (::1:8000, ECONNREFUSED)',
      hint: 'a server may still be starting',
      unreached: 'localhost:8000'
    })
  })

  it('a proxy that cannot reach the server, and a proxy that refuses connections, point at the proxy', () => {
    const gateway = nodeError('Proxy response (502) !== 200 when HTTP Tunneling', { code: 'UND_ERR_ABORTED' })
    expect(classifyNetworkError(gateway, proxied)).toMatchObject({ kind: 'transient', problem: 'proxy HTTP 502' })
    const refused = nodeError('connect ECONNREFUSED 10.0.0.1:3128', { code: 'ECONNREFUSED', address: '10.0.0.1', port: 3128 })
    expect(classifyNetworkError(refused, proxied)).toMatchObject({
      kind: 'transient',
      reason: 'connection refused (the proxy proxy.corp:3128, ECONNREFUSED)',
      hint: 'check HTTPS_PROXY / HTTP_PROXY'
    })
  })

  it('an unknown error keeps its code and message on one line, without credentials from a URL', () => {
    const error = nodeError('cannot reach http://user:s3cret@proxy.corp:3128\nnow', { code: 'EWHATEVER' })
    const outcome = classifyNetworkError(error, proxied)
    expect(outcome).toMatchObject({ kind: 'transient', reason: 'network error (EWHATEVER: cannot reach http://***@proxy.corp:3128 now)' })
  })
})
