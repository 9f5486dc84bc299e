/**
 * Errors as Node, OpenSSL and undici raise them, for the cases the behaviour tests cannot produce on loopback
 * (a revoked certificate, a DNS server that fails, a slow handshake). Each is judged by its code.
 */
import { classifyNetworkError, noResponseOutcome } from '../../src/http/network-errors.js'

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

/** The advice a user reads for a certificate the runner does not trust, word for word. */
const CA_ADVICE =
  'If the server, or a TLS-inspecting proxy on the way, uses a private certificate authority, give the runner its CA ' +
  "certificate with the NODE_EXTRA_CA_CERTS environment variable (a PEM file path, set for the job or the runner); otherwise check 'base_url'."

describe('every certificate code Node reports, and the advice each gets', () => {
  const advice: Record<string, string> = {
    untrusted: `is not trusted (%s). ${CA_ADVICE}`,
    expired: "has expired (%s). The server's certificate must be renewed.",
    'not-yet-valid': "is not valid yet (%s). Check the runner's clock.",
    'wrong-name': "is for another name (%s). Check the host in 'base_url'.",
    revoked: 'has been revoked (%s).',
    rejected: "was rejected (%s). Check 'base_url' and any proxy."
  }
  it.each([
    ['UNABLE_TO_GET_ISSUER_CERT', 'untrusted'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'untrusted'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'untrusted'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted'],
    ['CERT_UNTRUSTED', 'untrusted'],
    ['CERT_HAS_EXPIRED', 'expired'],
    ['CERT_NOT_YET_VALID', 'not-yet-valid'],
    ['HOSTNAME_MISMATCH', 'wrong-name'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'wrong-name'],
    ['CERT_REVOKED', 'revoked'],
    ['UNABLE_TO_GET_CRL', 'rejected'],
    ['UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'rejected'],
    ['UNABLE_TO_DECRYPT_CRL_SIGNATURE', 'rejected'],
    ['UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'rejected'],
    ['CERT_SIGNATURE_FAILURE', 'rejected'],
    ['CRL_SIGNATURE_FAILURE', 'rejected'],
    ['CRL_NOT_YET_VALID', 'rejected'],
    ['CRL_HAS_EXPIRED', 'rejected'],
    ['ERROR_IN_CERT_NOT_BEFORE_FIELD', 'rejected'],
    ['ERROR_IN_CERT_NOT_AFTER_FIELD', 'rejected'],
    ['ERROR_IN_CRL_LAST_UPDATE_FIELD', 'rejected'],
    ['ERROR_IN_CRL_NEXT_UPDATE_FIELD', 'rejected'],
    ['OUT_OF_MEM', 'rejected'],
    ['CERT_CHAIN_TOO_LONG', 'rejected'],
    ['INVALID_CA', 'rejected'],
    ['PATH_LENGTH_EXCEEDED', 'rejected'],
    ['INVALID_PURPOSE', 'rejected'],
    ['CERT_REJECTED', 'rejected']
  ])('%s: %s, the run stops', (code, problem) => {
    // A line break at the end, as OpenSSL's messages have, never shows.
    const outcome = classifyNetworkError(nodeError('certificate problem\n', { code }), direct)
    expect(outcome).toEqual({
      kind: 'fatal',
      scope: 'run',
      reason: `The certificate of memos.example:443 ${(advice[problem] ?? '').replace('%s', `${code}: certificate problem`)}`
    })
  })

  it('quotes a long message cut short, on one line, without the credentials of a URL in it', () => {
    const message = `unable to verify https://ci:t0ken@memos.example/ ${'x'.repeat(400)}`
    const outcome = classifyNetworkError(nodeError(message, { code: 'CERT_REJECTED' }), direct)
    const reason = outcome.kind === 'fatal' ? outcome.reason : ''
    expect(reason).not.toContain('t0ken')
    const quoted = /\(CERT_REJECTED: (.*)\)\. Check/.exec(reason)?.[1] ?? ''
    expect(quoted).toMatch(/^unable to verify https:\/\/\*\*\*@memos\.example\/ x+…$/)
    expect(quoted).toHaveLength(300)
  })
})

describe('failed handshakes, word for word', () => {
  const check = "Check 'base_url' and any proxy."
  it.each([
    [
      "OpenSSL's reason rather than its long message",
      { code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', library: 'SSL routines', reason: 'sslv3 alert handshake failure' },
      `The TLS handshake with memos.example:443 failed (ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: sslv3 alert handshake failure). ${check}`
    ],
    [
      'an error from the OpenSSL library under a code outside the TLS family',
      { code: 'ERR_OSSL_BAD_DECRYPT', library: 'Provider routines', reason: 'bad decrypt' },
      `The TLS handshake with memos.example:443 failed (ERR_OSSL_BAD_DECRYPT: bad decrypt). ${check}`
    ],
    [
      'an EPROTO from the socket, its message quoted',
      { code: 'EPROTO' },
      `The TLS handshake with memos.example:443 failed (EPROTO: handshake broke off). ${check}`
    ],
    [
      'a TLS code from Node',
      { code: 'ERR_TLS_INVALID_PROTOCOL_VERSION' },
      `The TLS handshake with memos.example:443 failed (ERR_TLS_INVALID_PROTOCOL_VERSION: handshake broke off). ${check}`
    ],
    [
      'an SSL code without the library',
      { code: 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' },
      `The TLS handshake with memos.example:443 failed (ERR_SSL_NO_PROTOCOLS_AVAILABLE: handshake broke off). ${check}`
    ],
    [
      'a port that speaks plain HTTP',
      { code: 'ERR_SSL_WRONG_VERSION_NUMBER', library: 'SSL routines', reason: 'wrong version number' },
      "The TLS handshake with memos.example:443 failed (ERR_SSL_WRONG_VERSION_NUMBER: wrong version number). The port may speak plain HTTP: if so, 'base_url' starts with http://."
    ]
  ])('%s', (_name, fields, reason) => {
    expect(classifyNetworkError(nodeError('handshake broke off', fields), direct)).toEqual({ kind: 'fatal', scope: 'run', reason })
  })

  it('a message that already names its code is not prefixed with it again', () => {
    const error = nodeError('write EPROTO 80A8:error:0A00010B:SSL routines::wrong version number', { code: 'EPROTO' })
    expect(classifyNetworkError(error, direct)).toMatchObject({
      reason: `The TLS handshake with memos.example:443 failed (write EPROTO 80A8:error:0A00010B:SSL routines::wrong version number). ${check}`
    })
  })

  it('a failed TLS connection to the proxy itself names the proxy', () => {
    const error = nodeError('TLS connection to the proxy failed', { code: 'UND_ERR_PRX_TLS' })
    expect(classifyNetworkError(error, proxied)).toEqual({
      kind: 'fatal',
      scope: 'run',
      reason:
        'The TLS connection to the proxy proxy.corp:3128 failed (UND_ERR_PRX_TLS: TLS connection to the proxy failed). Check HTTPS_PROXY.'
    })
  })

  it('a failed TLS connection to a proxy the step does not know of says so without a name', () => {
    const error = nodeError('TLS connection to the proxy failed', { code: 'UND_ERR_PRX_TLS' })
    expect(classifyNetworkError(error, direct)).toMatchObject({
      reason: 'The TLS connection to the proxy failed (UND_ERR_PRX_TLS: TLS connection to the proxy failed). Check HTTPS_PROXY.'
    })
  })

  it('a slow handshake is retried like a timeout, though its code is in the TLS family', () => {
    const error = nodeError('TLS handshake timeout', { code: 'ERR_TLS_HANDSHAKE_TIMEOUT', library: 'SSL routines' })
    expect(classifyNetworkError(error, direct)).toEqual({
      kind: 'transient',
      reason: 'network error (ERR_TLS_HANDSHAKE_TIMEOUT: TLS handshake timeout)',
      problem: 'network error',
      unreached: 'memos.example:443',
      throttled: false
    })
  })
})

describe('hosts that do not exist: the server, or the proxy', () => {
  it.each([
    [
      'the server, with no proxy',
      { hostname: 'memos.exampel' },
      { server: 'memos.exampel:8443' },
      "'base_url' names a host that does not exist: 'memos.exampel' (DNS: ENOTFOUND). Check 'base_url'."
    ],
    [
      'the server, when the name that failed is its own, though a proxy is set',
      { hostname: 'memos.exampel' },
      { server: 'memos.exampel:8443', proxy: 'proxy.corp:3128' },
      "'base_url' names a host that does not exist: 'memos.exampel' (DNS: ENOTFOUND). Check 'base_url'."
    ],
    [
      'the proxy',
      { hostname: 'proxy.crop' },
      { server: 'memos.example:443', proxy: 'proxy.crop:3128' },
      "The proxy host 'proxy.crop' does not exist (DNS: ENOTFOUND). Check HTTPS_PROXY / HTTP_PROXY."
    ],
    [
      'a host the error does not name: the server as given',
      {},
      { server: 'memos.exampel:8443' },
      "'base_url' names a host that does not exist: 'memos.exampel:8443' (DNS: ENOTFOUND). Check 'base_url'."
    ]
  ])('%s', (_name, fields, context, reason) => {
    const error = nodeError('getaddrinfo ENOTFOUND', { code: 'ENOTFOUND', ...fields })
    expect(classifyNetworkError(error, context)).toEqual({ kind: 'fatal', scope: 'run', reason })
  })
})

describe('hosts that do not resolve: who chose them', () => {
  const unreachedCloud =
    'A MemOS Cloud host that does not resolve usually means the runner has no DNS or no network access to it (behind a firewall, set HTTPS_PROXY).'

  it.each([
    [
      "the cloud default, which nobody set: the runner's DNS or network, and the other region",
      'memos.memtensor.cn',
      { kind: 'default', api: 'cloud' },
      `The runner could not resolve 'memos.memtensor.cn' (DNS: ENOTFOUND), the default host for 'api: cloud' ('base_url' is not set). ${unreachedCloud} ` +
        "For another region or server, set 'base_url' or MEMOS_BASE_URL (global: https://api.memt.ai/platform/api/openmem/v1)."
    ],
    [
      'the self-hosted default, localhost',
      'localhost',
      { kind: 'default', api: 'self-hosted' },
      "The runner could not resolve 'localhost' (DNS: ENOTFOUND), the host of http://localhost:8000/product, the default for 'api: self-hosted' ('base_url' is not set); " +
        "its hosts file may lack localhost. Set 'base_url' or MEMOS_BASE_URL to the server, such as http://127.0.0.1:8000/product, or http://memos:8000/product for a service container named memos."
    ],
    [
      'a host from MEMOS_BASE_URL, named as that variable',
      'memos.exampel',
      { kind: 'environment' },
      "The MEMOS_BASE_URL environment variable names a host that does not exist: 'memos.exampel' (DNS: ENOTFOUND). Check MEMOS_BASE_URL."
    ],
    [
      'a host from the input',
      'memos.exampel',
      { kind: 'input' },
      "'base_url' names a host that does not exist: 'memos.exampel' (DNS: ENOTFOUND). Check 'base_url'."
    ],
    [
      'the global MemOS Cloud host from the input, which exists',
      'api.memt.ai',
      { kind: 'input' },
      `The runner could not resolve 'api.memt.ai' (DNS: ENOTFOUND), the MemOS Cloud host in 'base_url'. ${unreachedCloud}`
    ],
    [
      'the default MemOS Cloud host from MEMOS_BASE_URL, which exists',
      'memos.memtensor.cn',
      { kind: 'environment' },
      `The runner could not resolve 'memos.memtensor.cn' (DNS: ENOTFOUND), the MemOS Cloud host in MEMOS_BASE_URL. ${unreachedCloud}`
    ]
  ] as const)('%s', (_name, hostname, serverSource, reason) => {
    const error = nodeError(`getaddrinfo ENOTFOUND ${hostname}`, { code: 'ENOTFOUND', hostname })
    expect(classifyNetworkError(error, { server: `${hostname}:443`, serverSource })).toEqual({ kind: 'fatal', scope: 'run', reason })
  })

  it('blames the proxy, not the default, when the proxy host is the one that does not resolve', () => {
    const error = nodeError('getaddrinfo ENOTFOUND proxy.crop', { code: 'ENOTFOUND', hostname: 'proxy.crop' })
    const context = { server: 'memos.memtensor.cn:443', proxy: 'proxy.crop:3128', serverSource: { kind: 'default', api: 'cloud' } } as const
    expect(classifyNetworkError(error, context)).toMatchObject({
      reason: "The proxy host 'proxy.crop' does not exist (DNS: ENOTFOUND). Check HTTPS_PROXY / HTTP_PROXY."
    })
  })
})

describe('a proxy that answers CONNECT with an error', () => {
  const refusal = (status: number): Error =>
    nodeError(`Proxy response (${status}) !== 200 when HTTP Tunneling`, { code: 'UND_ERR_ABORTED' })

  it.each([
    [
      407,
      {
        kind: 'fatal',
        scope: 'run',
        reason:
          'The proxy proxy.corp:3128 refused to connect to memos.example:443 without valid credentials (HTTP 407). Give them in the proxy URL: http://user:password@host:port.'
      }
    ],
    [403, { kind: 'fatal', scope: 'run', reason: 'The proxy proxy.corp:3128 does not allow connections to memos.example:443 (HTTP 403).' }],
    [
      502,
      {
        kind: 'transient',
        reason: 'the proxy proxy.corp:3128 could not connect to memos.example:443 (HTTP 502)',
        problem: 'proxy HTTP 502',
        unreached: 'memos.example:443',
        throttled: false
      }
    ],
    [
      504,
      {
        kind: 'transient',
        reason: 'the proxy proxy.corp:3128 could not connect to memos.example:443 (HTTP 504)',
        problem: 'proxy HTTP 504',
        unreached: 'memos.example:443',
        throttled: false
      }
    ]
  ])('HTTP %s', (status, outcome) => {
    expect(classifyNetworkError(refusal(status), proxied)).toEqual(outcome)
  })

  it('is not read as a proxy answer when no proxy is in use', () => {
    expect(classifyNetworkError(refusal(407), direct)).toEqual({
      kind: 'transient',
      reason: 'network error (UND_ERR_ABORTED: Proxy response (407) !== 200 when HTTP Tunneling)',
      problem: 'network error',
      unreached: 'memos.example:443',
      throttled: false
    })
  })
})

describe('connections that got no answer: each retried, with what went wrong and where', () => {
  it.each([
    ['ECONNREFUSED', 'connection refused', 'a server may still be starting'],
    ['ECONNRESET', 'connection reset', undefined],
    ['EPIPE', 'connection reset', undefined],
    ['ETIMEDOUT', 'connection timed out', undefined],
    ['UND_ERR_CONNECT_TIMEOUT', 'connection timed out', undefined],
    ['UND_ERR_SOCKET', 'connection closed', undefined],
    ['UND_ERR_CLOSED', 'connection closed', undefined],
    ['EHOSTUNREACH', 'host unreachable', undefined],
    ['ENETUNREACH', 'network unreachable', undefined],
    ['ENETDOWN', 'network unreachable', undefined],
    ['EAI_AGAIN', 'DNS lookup failed', undefined],
    ['EAI_FAIL', 'DNS lookup failed', undefined]
  ])('%s: %s', (code, problem, hint) => {
    const outcome = classifyNetworkError(nodeError(`connect ${code}`, { code }), direct)
    expect(outcome).toEqual({
      kind: 'transient',
      reason: `${problem} (memos.example:443, ${code})`,
      problem,
      hint,
      unreached: 'memos.example:443',
      throttled: false
    })
  })

  it.each([
    ['the address and port it tried', { address: '10.0.0.7', port: 443 }, 'connection reset (10.0.0.7:443, ECONNRESET)'],
    ['the address alone, when the error has no port', { address: '10.0.0.7' }, 'connection reset (10.0.0.7, ECONNRESET)'],
    ['the server as configured, when the error has no address', { port: 443 }, 'connection reset (memos.example:443, ECONNRESET)']
  ])('names %s', (_name, fields, reason) => {
    expect(classifyNetworkError(nodeError('read ECONNRESET', { code: 'ECONNRESET', ...fields }), direct)).toMatchObject({ reason })
  })

  it('a reset through a proxy names the server, not the proxy, and gives no proxy advice', () => {
    const error = nodeError('read ECONNRESET', { code: 'ECONNRESET' })
    expect(classifyNetworkError(error, proxied)).toEqual({
      kind: 'transient',
      reason: 'connection reset (memos.example:443, ECONNRESET)',
      problem: 'connection reset',
      hint: undefined,
      unreached: 'memos.example:443',
      throttled: false
    })
  })

  it('a failure wrapped as the cause of another error is judged by the cause', () => {
    const cause = nodeError('connect ECONNREFUSED 127.0.0.1:8000', { code: 'ECONNREFUSED', address: '127.0.0.1', port: 8000 })
    const error = new Error('fetch failed', { cause })
    expect(classifyNetworkError(error, { server: 'localhost:8000' })).toMatchObject({
      kind: 'transient',
      reason: 'connection refused (127.0.0.1:8000, ECONNREFUSED)',
      hint: 'a server may still be starting'
    })
  })

  it('an AggregateError with no message of its own shows the message of what it wraps', () => {
    const error = new AggregateError([nodeError('socket went away', { code: 'EWHATEVER' })], '')
    expect(classifyNetworkError(error, direct)).toMatchObject({ kind: 'transient', reason: 'network error (EWHATEVER: socket went away)' })
  })

  it.each([
    ['an error without a code', new Error('other side closed'), 'network error (other side closed)'],
    ['something thrown that is not an Error', 'socket hang up', 'network error (socket hang up)'],
    ['nothing at all', undefined, 'network error (undefined)']
  ])('%s keeps its words', (_name, error, reason) => {
    expect(classifyNetworkError(error, direct)).toEqual({
      kind: 'transient',
      reason,
      problem: 'network error',
      unreached: 'memos.example:443',
      throttled: false
    })
  })

  it('no answer within the request timeout', () => {
    expect(noResponseOutcome(2500, direct)).toEqual({
      kind: 'transient',
      reason: 'no response within 2500ms',
      problem: 'no response in time',
      unreached: 'memos.example:443',
      throttled: false
    })
  })
})
