/** The MemOS API roots the action knows: its defaults, and the other region. */

/** MemOS Cloud, the default region (mainland China). */
export const DEFAULT_BASE_URL = 'https://memos.memtensor.cn/api/openmem/v1'
/** MemOS Cloud, the global region. */
export const GLOBAL_BASE_URL = 'https://api.memt.ai/platform/api/openmem/v1'
/** The open-source server's API root in its docker compose quick start. */
export const SELF_HOSTED_BASE_URL = 'http://localhost:8000/product'

/** The host names of MemOS Cloud's regions. */
export const MEMOS_CLOUD_HOSTS: ReadonlySet<string> = new Set([new URL(DEFAULT_BASE_URL).hostname, new URL(GLOBAL_BASE_URL).hostname])
