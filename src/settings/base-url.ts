import { isIPv4 } from 'node:net'
import { inputQuote } from '../shared/text.js'
import { MEMOS_CLOUD_HOSTS } from '../shared/base-urls.js'
import { type ApiMode, DEFAULT_BASE_URL, SELF_HOSTED_BASE_URL } from './settings.js'

/** The rules for `base_url`: a URL of http(s), without credentials, and plain http only where no key can leak. */

/** Hostnames as URL gives them: an IPv6 address keeps its brackets. */
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]'])

function isLoopbackHost(hostname: string): boolean {
  // URL writes every IPv4 host as four decimal parts (127.1 becomes 127.0.0.1): 127.0.0.0/8 is the loopback block.
  return LOOPBACK_HOSTS.has(hostname) || (isIPv4(hostname) && hostname.startsWith('127.')) || hostname.endsWith('.localhost')
}

/**
 * `name` says where the URL came from, as the messages start ("Input 'base_url'"). Without a mode (`api` was
 * bad), only the rules that hold in both modes are checked.
 */
export function parseBaseUrl(raw: string, name: string, api: ApiMode | undefined, sendsKey: boolean, problems: string[]): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    const example =
      api === undefined
        ? `For 'api: cloud' it looks like ${DEFAULT_BASE_URL}, for 'api: self-hosted' like ${SELF_HOSTED_BASE_URL}`
        : `For 'api: ${api}' it looks like ${api === 'self-hosted' ? SELF_HOSTED_BASE_URL : DEFAULT_BASE_URL}`
    problems.push(`${name} is not a URL: '${inputQuote(raw)}'. ${example}.`)
    return raw
  }
  if (url.username || url.password) {
    problems.push(`${name} must not contain credentials: '${url.protocol}//…@${url.host}${url.pathname}'. Pass the key in 'api_key'.`)
    return raw
  }
  // A key travels only over https, or over http to this machine; without a key, plain http reaches any
  // self-hosted server (a service container such as http://memos:8000/product). Without a mode, neither is known.
  const loopback = isLoopbackHost(url.hostname)
  const plainHttpAllowed = loopback || api === undefined || (api === 'self-hosted' && !sendsKey)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`${name} is '${inputQuote(raw)}', but it must be an https:// (or http://) URL.`)
  } else if (url.protocol === 'http:' && !plainHttpAllowed) {
    const rule =
      api === 'self-hosted'
        ? "with an 'api_key', plain http is allowed only to loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted"
        : 'http is allowed only for loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted'
    problems.push(`${name} is '${inputQuote(raw)}', but it must use https: ${rule}.`)
  }
  if (api === 'self-hosted' && MEMOS_CLOUD_HOSTS.has(url.hostname)) {
    problems.push(`${name} is '${inputQuote(raw)}', MemOS Cloud, but 'api' is 'self-hosted': for the cloud, set 'api: cloud'.`)
  }
  if (url.search || url.hash) {
    problems.push(`${name} is '${inputQuote(raw)}', but it must not have a query or fragment.`)
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}
