/**
 * What a failed request's error means, judged by what it is (Node's and OpenSSL's codes), not by words in its
 * message; the one exception is a proxy's refusal of CONNECT, whose status undici gives only in its message
 * (`proxyStatus`, pinned by the tests against real proxies). Certificates and handshakes never fix themselves, so they stop the run on the first attempt;
 * a refused or silent connection may be a server still starting, so it is retried. One file, past 200 lines, so
 * that every failure has its meaning and its words in one place.
 */
import { maxHeaderSize } from 'node:http'
import type { FailureOutcome } from '../shared/outcome.js'
import { GLOBAL_BASE_URL, MEMOS_CLOUD_HOSTS, SELF_HOSTED_BASE_URL } from '../shared/base-urls.js'
import { clip, errorMessage, QUOTE_MAX, sanitize } from '../shared/text.js'

/**
 * Who chose the server, so that a message blames what the user set: the `base_url` input, the MEMOS_BASE_URL
 * environment variable, or nobody (the action's default for the API mode).
 */
export type ServerSource = { kind: 'input' } | { kind: 'environment' } | { kind: 'default'; api: 'cloud' | 'self-hosted' }

/** Where the request was going, for messages. Never holds a proxy's credentials. */
export interface NetworkContext {
  /** host[:port] of `base_url`. */
  server: string
  /** host:port of the proxy the request went through, if any. */
  proxy?: string
  /** Absent: the `base_url` input. */
  serverSource?: ServerSource
}

type CertificateProblem = 'untrusted' | 'expired' | 'not-yet-valid' | 'wrong-name' | 'revoked' | 'rejected'

/** Node's X509 verification codes (the tls module's "X509 certificate error codes") and what each means here. */
const CERTIFICATE_CODES: ReadonlyMap<string, CertificateProblem> = new Map([
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
])

/** A slow handshake is a slow network, not a TLS failure: it is retried like any other timeout. */
const RETRIED_TLS_CODES = new Set(['ERR_TLS_HANDSHAKE_TIMEOUT'])

/** Connection failures where the server never answered; all retried. */
const NO_ANSWER: ReadonlyMap<string, string> = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ECONNRESET', 'connection reset'],
  ['EPIPE', 'connection reset'],
  ['ETIMEDOUT', 'connection timed out'],
  ['UND_ERR_CONNECT_TIMEOUT', 'connection timed out'],
  ['UND_ERR_SOCKET', 'connection closed'],
  ['UND_ERR_CLOSED', 'connection closed'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
  ['ENETDOWN', 'network unreachable'],
  ['EAI_AGAIN', 'DNS lookup failed'],
  ['EAI_FAIL', 'DNS lookup failed']
])

/**
 * Headers past the limit of Node's parser (node:http) or undici's, both `http.maxHeaderSize` (16 KiB unless
 * --max-http-header-size says otherwise): the server did answer, with too much, like a body over its limit.
 */
const HEADER_OVERFLOW_CODES = new Set(['HPE_HEADER_OVERFLOW', 'UND_ERR_HEADERS_OVERFLOW'])

const UNTRUSTED_HINT =
  'If the server, or a TLS-inspecting proxy on the way, uses a private certificate authority, give the runner ' +
  "its CA certificate with the NODE_EXTRA_CA_CERTS environment variable (a PEM file path, set for the job or the runner); otherwise check 'base_url'."

/** The facts an error carries, from itself or from what it wraps (happy-eyeballs AggregateError, a `cause`). */
interface ErrorFacts {
  code: string
  message: string
  /** OpenSSL's library and reason, on errors raised by OpenSSL. */
  library?: string
  opensslReason?: string
  hostname?: string
  address?: string
  port?: number
}

function factsOf(error: unknown): ErrorFacts {
  const value = error as (Partial<NodeJS.ErrnoException> & Record<string, unknown>) | undefined
  const nested = Array.isArray(value?.errors) ? value.errors[0] : value?.cause
  const own = {
    code: typeof value?.code === 'string' ? value.code : '',
    message: errorMessage(error),
    library: typeof value?.library === 'string' ? value.library : undefined,
    opensslReason: typeof value?.reason === 'string' ? value.reason : undefined,
    hostname: typeof value?.hostname === 'string' ? value.hostname : undefined,
    address: typeof value?.address === 'string' ? value.address : undefined,
    port: typeof value?.port === 'number' ? value.port : undefined
  }
  if (!nested) return own
  const inner = factsOf(nested)
  return { ...inner, code: own.code || inner.code, message: own.message || inner.message }
}

/** Text from an error, on one line and short; any credentials in a URL in it are removed. */
function detail(text: string): string {
  return clip(
    sanitize(text)
      .replace(/\/\/[^/\s@]+@/g, '//***@')
      .trim(),
    QUOTE_MAX
  )
}

/** Why a request that got no complete answer failed; `code: message` from Node or undici, OpenSSL's reason if any. */
function describe(facts: ErrorFacts): string {
  const text = facts.opensslReason ?? facts.message
  // An error without a code has '' for it, which every text includes.
  return detail(text.includes(facts.code) ? text : `${facts.code}: ${text}`)
}

/** A proxy's refusal of CONNECT, as undici words it; undefined for any other error. */
function proxyStatus(facts: ErrorFacts): number | undefined {
  const match = /Proxy response \((\d{3})\) !== 200/.exec(facts.message)
  return match ? Number(match[1]) : undefined
}

export function classifyNetworkError(error: unknown, context: NetworkContext): FailureOutcome {
  const facts = factsOf(error)
  const { server, proxy } = context

  if (facts.code === 'UND_ERR_PRX_TLS') {
    return {
      kind: 'fatal',
      scope: 'run',
      reason: `The TLS connection to the proxy${proxy === undefined ? '' : ` ${proxy}`} failed (${describe(facts)}). Check HTTPS_PROXY.`
    }
  }
  const certificate = CERTIFICATE_CODES.get(facts.code)
  if (certificate) return { kind: 'fatal', scope: 'run', reason: certificateReason(certificate, facts, context) }
  const openssl = facts.library !== undefined || facts.code === 'EPROTO'
  const tlsFamily = facts.code.startsWith('ERR_SSL_') || facts.code.startsWith('ERR_TLS_')
  if ((openssl || tlsFamily) && !RETRIED_TLS_CODES.has(facts.code)) {
    const plainHttp =
      facts.code === 'ERR_SSL_WRONG_VERSION_NUMBER'
        ? " The port may speak plain HTTP: if so, 'base_url' starts with http://."
        : " Check 'base_url' and any proxy."
    return { kind: 'fatal', scope: 'run', reason: `The TLS handshake with ${server} failed (${describe(facts)}).${plainHttp}` }
  }

  if (facts.code === 'ENOTFOUND') {
    const host = facts.hostname ?? server
    if (proxy && host !== new URL(`http://${server}`).hostname) {
      return {
        kind: 'fatal',
        scope: 'run',
        reason: `The proxy host '${host}' does not exist (DNS: ENOTFOUND). Check HTTPS_PROXY / HTTP_PROXY.`
      }
    }
    return { kind: 'fatal', scope: 'run', reason: unknownHostReason(host, context.serverSource ?? { kind: 'input' }) }
  }

  const status = proxy ? proxyStatus(facts) : undefined
  if (status === 407) {
    return {
      kind: 'fatal',
      scope: 'run',
      reason: `The proxy ${proxy} refused to connect to ${server} without valid credentials (HTTP 407). Give them in the proxy URL: http://user:password@host:port.`
    }
  }
  if (status === 403) {
    return { kind: 'fatal', scope: 'run', reason: `The proxy ${proxy} does not allow connections to ${server} (HTTP 403).` }
  }
  if (status !== undefined) {
    return {
      kind: 'transient',
      reason: `the proxy ${proxy} could not connect to ${server} (HTTP ${status})`,
      problem: `proxy HTTP ${status}`,
      unreached: server,
      throttled: false
    }
  }

  if (HEADER_OVERFLOW_CODES.has(facts.code)) {
    const reason = `response headers larger than ${maxHeaderSize} bytes (${facts.code})`
    return { kind: 'transient', reason, problem: 'response too large', throttled: false }
  }
  const problem = NO_ANSWER.get(facts.code)
  if (problem) {
    const peer = facts.address !== undefined ? `${facts.address}${facts.port !== undefined ? `:${facts.port}` : ''}` : server
    const by = proxy && problem === 'connection refused' ? `the proxy ${proxy}` : peer
    return {
      kind: 'transient',
      reason: `${problem} (${by}, ${facts.code})`,
      problem,
      hint: problem === 'connection refused' ? (proxy ? 'check HTTPS_PROXY / HTTP_PROXY' : 'a server may still be starting') : undefined,
      unreached: server,
      throttled: false
    }
  }
  return { kind: 'transient', reason: `network error (${describe(facts)})`, problem: 'network error', unreached: server, throttled: false }
}

/**
 * The server's name did not resolve. A name the user gave is likely mistyped; MemOS Cloud's names are real, so
 * for them (the default above all) the runner's DNS or network is the likely cause.
 */
function unknownHostReason(host: string, source: ServerSource): string {
  const dns = `'${host}' (DNS: ENOTFOUND)`
  const unreachedCloud =
    'A MemOS Cloud host that does not resolve usually means the runner has no DNS or no network access to it ' +
    '(behind a firewall, set HTTPS_PROXY).'
  if (source.kind === 'default') {
    if (source.api === 'self-hosted') {
      return (
        `The runner could not resolve ${dns}, the host of ${SELF_HOSTED_BASE_URL}, the default for 'api: self-hosted' ` +
        "('base_url' is not set); its hosts file may lack localhost. Set 'base_url' or MEMOS_BASE_URL to the server, " +
        'such as http://127.0.0.1:8000/product, or http://memos:8000/product for a service container named memos.'
      )
    }
    return (
      `The runner could not resolve ${dns}, the default host for 'api: cloud' ('base_url' is not set). ${unreachedCloud} ` +
      `For another region or server, set 'base_url' or MEMOS_BASE_URL (global: ${GLOBAL_BASE_URL}).`
    )
  }
  const setting = source.kind === 'environment' ? 'MEMOS_BASE_URL' : "'base_url'"
  if (MEMOS_CLOUD_HOSTS.has(host)) return `The runner could not resolve ${dns}, the MemOS Cloud host in ${setting}. ${unreachedCloud}`
  const subject = source.kind === 'environment' ? 'The MEMOS_BASE_URL environment variable' : "'base_url'"
  return `${subject} names a host that does not exist: ${dns}. Check ${setting}.`
}

/** The kind of problem of a request that got no answer within its time. */
export const NO_RESPONSE = 'no response in time'

/** A request that got no answer within its time. */
export function noResponseOutcome(timeoutMs: number, context: NetworkContext): FailureOutcome {
  return {
    kind: 'transient',
    reason: `no response within ${timeoutMs}ms`,
    problem: NO_RESPONSE,
    unreached: context.server,
    throttled: false
  }
}

function certificateReason(problem: CertificateProblem, facts: ErrorFacts, { server }: NetworkContext): string {
  const what = `${facts.code}: ${detail(facts.message)}`
  switch (problem) {
    case 'untrusted':
      return `The certificate of ${server} is not trusted (${what}). ${UNTRUSTED_HINT}`
    case 'expired':
      return `The certificate of ${server} has expired (${what}). The server's certificate must be renewed.`
    case 'not-yet-valid':
      return `The certificate of ${server} is not valid yet (${what}). Check the runner's clock.`
    case 'wrong-name':
      return `The certificate of ${server} is for another name (${what}). Check the host in 'base_url'.`
    case 'revoked':
      return `The certificate of ${server} has been revoked (${what}).`
    case 'rejected':
      return `The certificate of ${server} was rejected (${what}). Check 'base_url' and any proxy.`
  }
}
