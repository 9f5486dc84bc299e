import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_BASE_URL, InputError, MAX_TASK_IDS, readSettings, SELF_HOSTED_BASE_URL } from '../src/inputs.js'

const KEY = 'mpg-test-key-123456'

function settingsFrom(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  return readSettings((name) => inputs[name] ?? '', env)
}

function problemsOf(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    settingsFrom(inputs, env)
  } catch (error) {
    if (error instanceof InputError) return error.problems
    throw error
  }
  throw new Error('expected an InputError')
}

describe('readSettings', () => {
  it('applies the documented defaults', () => {
    const settings = settingsFrom({ task_id: 'task-1', api_key: KEY })
    expect(settings).toMatchObject({
      taskIds: ['task-1'],
      baseUrl: DEFAULT_BASE_URL,
      timeoutMs: 600_000,
      intervalMs: 500,
      maxIntervalMs: 30_000,
      requestTimeoutMs: 30_000,
      notFoundGraceMs: 10_000,
      failOnFailure: true,
      failOnTimeout: true,
      maxRequestsPerSecond: 20,
      failFast: true
    })
    expect([...settings.successStatuses]).toEqual(['completed'])
    expect([...settings.failureStatuses]).toEqual(['failed', 'fail', 'error', 'cancelled', 'canceled'])
  })

  it('takes the key and base URL from MEMOS_API_KEY and MEMOS_BASE_URL when the inputs are empty', () => {
    const settings = settingsFrom({ task_id: 't' }, { MEMOS_API_KEY: KEY, MEMOS_BASE_URL: 'https://api.memt.ai/platform/api/openmem/v1/' })
    expect(settings.apiKey).toBe(KEY)
    expect(settings.baseUrl).toBe('https://api.memt.ai/platform/api/openmem/v1')
  })

  it('prefers the inputs over the environment', () => {
    const settings = settingsFrom(
      { task_id: 't', api_key: KEY, base_url: 'https://example.test/v1' },
      { MEMOS_API_KEY: 'other-key-000', MEMOS_BASE_URL: 'https://x.test' }
    )
    expect(settings.apiKey).toBe(KEY)
    expect(settings.baseUrl).toBe('https://example.test/v1')
  })

  it.each([
    ['commas', 'a,b,c', ['a', 'b', 'c']],
    ['spaces and newlines (a block scalar)', 'a b\nc\n\n', ['a', 'b', 'c']],
    ['mixed separators and blank entries', ' a, ,b\n,c ,\n', ['a', 'b', 'c']],
    ['duplicates, kept once in first-seen order', 'b,a,b,c,a', ['b', 'a', 'c']],
    ['a JSON array of strings', '["a","b","a"]', ['a', 'b']],
    ['a UUID', 'c464e17e-f2ff-4e9a-a2c2-41cc55ab43b9', ['c464e17e-f2ff-4e9a-a2c2-41cc55ab43b9']]
  ])('reads task ids separated by %s', (_name, raw, expected) => {
    expect(settingsFrom({ task_id: raw, api_key: KEY }).taskIds).toEqual(expected)
  })

  it.each([
    ['a missing task_id', { task_id: ' , ' }, "Input 'task_id' or 'task_id_file' is required"],
    ['an invalid task id', { task_id: 'ok,bad id"' }, "Input 'task_id' has an invalid id 'id\"'"],
    ['a JSON array of numbers', { task_id: '[1,2]' }, "Input 'task_id' looks like a JSON array but is not one of strings: '[1,2]'"],
    ['a bad timeout', { timeout: '10 minutes' }, "Input 'timeout' has an invalid duration '10 minutes'"],
    ['a negative interval', { interval: '-1s' }, "Input 'interval' has an invalid duration '-1s'"],
    ['a tiny interval', { interval: '10ms' }, "Input 'interval' is '10ms', which is out of range"],
    [
      'max_interval below interval',
      { interval: '10s', max_interval: '5s' },
      "Input 'max_interval' is '5s', shorter than 'interval' ('10s')"
    ],
    ['a bad boolean', { fail_on_timeout: 'nope' }, "Input 'fail_on_timeout' is 'nope', but it must be 'true' or 'false'"],
    ['a bad rate', { max_requests_per_second: '2.5' }, "Input 'max_requests_per_second' is '2.5'"],
    ['a zero rate', { max_requests_per_second: '0' }, "Input 'max_requests_per_second' is '0'"],
    [
      'an http base_url',
      { base_url: 'http://memos.example.com/v1' },
      "Input 'base_url' is 'http://memos.example.com/v1', but it must use https"
    ],
    ['a base_url that is not a URL', { base_url: 'memos.example.com' }, "Input 'base_url' is not a URL: 'memos.example.com'"],
    ['a base_url with credentials', { base_url: 'https://u:p@memos.example.com' }, "Input 'base_url' must not contain credentials"],
    ['overlapping statuses', { success_statuses: 'done,completed', failure_statuses: 'failed,done' }, "both list 'done'"],
    ['an empty status list', { success_statuses: ' , ' }, "Input 'success_statuses' is ',', but it must list at least one status"]
  ])('rejects %s, naming the input and quoting the value', (_name, inputs, expected) => {
    const problems = problemsOf({ task_id: 't', api_key: KEY, ...inputs })
    expect(problems.join('\n')).toContain(expected)
  })

  it.each([
    ['http://127.0.0.1:8080/api', 'http://127.0.0.1:8080/api'],
    ['http://localhost:1/v1/', 'http://localhost:1/v1'],
    ['http://[::1]:9/v1', 'http://[::1]:9/v1'],
    ['http://memos.localhost:9/v1', 'http://memos.localhost:9/v1']
  ])('allows http on the loopback host %s', (raw, expected) => {
    expect(settingsFrom({ task_id: 't', api_key: KEY, base_url: raw }).baseUrl).toBe(expected)
  })

  it('reports every bad input at once', () => {
    const problems = problemsOf({ task_id: '', api_key: KEY, timeout: 'x', fail_fast: 'maybe' })
    expect(problems).toHaveLength(3)
  })

  it.each([
    ['missing', '', "Input 'api_key' is required"],
    ['too short', 'abc', "Input 'api_key' is only 3 characters long"],
    ['with a newline inside', 'mpg-abc\ndef-12345', "Input 'api_key' contains whitespace"]
  ])('rejects an api_key that is %s without quoting it', (_name, key, expected) => {
    const problems = problemsOf({ task_id: 't', api_key: key })
    expect(problems.join('\n')).toContain(expected)
    if (key) expect(problems.join('\n')).not.toContain(key)
  })

  it('accepts 0 as "check once" and seconds as a bare number', () => {
    expect(settingsFrom({ task_id: 't', api_key: KEY, timeout: '0' }).timeoutMs).toBe(0)
    expect(settingsFrom({ task_id: 't', api_key: KEY, timeout: '90' }).timeoutMs).toBe(90_000)
  })

  it('keeps the ids it read when another input is bad, so that the outputs can still list them', () => {
    const error = errorOf({ task_id: 'a,b', api_key: KEY, timeout: 'soon' })
    expect(error.taskIds).toEqual(['a', 'b'])
    expect(errorOf({ task_id: 'a,bad id"', api_key: KEY }).taskIds).toEqual([])
  })
})

function errorOf(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): InputError {
  try {
    settingsFrom(inputs, env)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('expected an InputError')
}

describe('task_id_file', () => {
  let workspace: string
  const env = (): NodeJS.ProcessEnv => ({ GITHUB_WORKSPACE: workspace })
  const idsFrom = (inputs: Record<string, string>): string[] => settingsFrom({ api_key: KEY, ...inputs }, env()).taskIds

  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'memos-workspace-'))
    mkdirSync(join(workspace, '.memos'))
  })

  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true })
  })

  it.each([
    ['one id a line, with CRLF and blank lines', 'a\r\nb\r\n\r\nc\r\n', ['a', 'b', 'c']],
    ['commas and spaces', 'a, b c,,a', ['a', 'b', 'c']],
    ['a JSON array of strings', '["a", "b"]\n', ['a', 'b']]
  ])('reads ids from a file in the workspace: %s', (_name, text, expected) => {
    writeFileSync(join(workspace, '.memos/ids.txt'), text)
    expect(idsFrom({ task_id_file: '.memos/ids.txt' })).toEqual(expected)
  })

  it('puts the ids of task_id first, then those of the file, each id once', () => {
    writeFileSync(join(workspace, 'ids.txt'), 'c\nb\nd\n')
    expect(idsFrom({ task_id: 'a,b', task_id_file: 'ids.txt' })).toEqual(['a', 'b', 'c', 'd'])
  })

  it(`takes ${MAX_TASK_IDS.toLocaleString('en')} UUIDs from a file, and refuses one more`, () => {
    const uuids = Array.from({ length: MAX_TASK_IDS + 1 }, (_, index) => `c464e17e-f2ff-4e9a-a2c2-${String(index).padStart(12, '0')}`)
    writeFileSync(join(workspace, 'ids.txt'), uuids.slice(0, MAX_TASK_IDS).join('\n'))
    expect(idsFrom({ task_id_file: 'ids.txt' })).toHaveLength(MAX_TASK_IDS)
    const problems = problemsOf({ task_id: uuids[MAX_TASK_IDS] ?? '', task_id_file: 'ids.txt', api_key: KEY }, env())
    expect(problems).toEqual([
      `Inputs 'task_id' and 'task_id_file' hold ${MAX_TASK_IDS + 1} ids; split them into steps of at most ${MAX_TASK_IDS}.`
    ])
  })

  it('refuses ids that together would not fit in an output, however few', () => {
    const long = Array.from({ length: 5000 }, (_, index) => `${'x'.repeat(120)}-${index}`)
    writeFileSync(join(workspace, 'long.txt'), long.join('\n'))
    expect(problemsOf({ task_id_file: 'long.txt', api_key: KEY }, env())).toEqual([
      "Inputs 'task_id' and 'task_id_file' hold more than 512 KiB of ids; split them into smaller steps."
    ])
  })

  it.each([
    [
      'a file far too large to be a list of ids',
      'huge.log',
      'x'.repeat(5 * 1024 * 1024),
      /^Input 'task_id_file' is 'huge.log', which holds 5242880 bytes: far more than 10000 ids take\. Check the path\.$/
    ],
    [
      'a missing file',
      'no-such.txt',
      undefined,
      /^Input 'task_id_file' is 'no-such.txt', which cannot be read \(no such file\): .*no-such\.txt\.$/
    ],
    ['a directory', '.memos', undefined, /^Input 'task_id_file' is '\.memos', which cannot be read \(EISDIR/],
    ['an empty file', 'empty.txt', '', /^Input 'task_id' or 'task_id_file' is required: .*\('task_id_file' \('empty.txt'\) holds no ids\)/],
    ['an invalid id', 'bad.txt', 'ok\nnot ok?\n', /^Input 'task_id_file' \('bad.txt'\) has an invalid id 'ok\?'/],
    [
      'a JSON array of numbers',
      'nums.json',
      '[1, 2]',
      /^Input 'task_id_file' \('nums.json'\) looks like a JSON array but is not one of strings/
    ]
  ])('rejects %s, naming the file', (_name, file, text, expected) => {
    if (text !== undefined) writeFileSync(join(workspace, file), text)
    const error = errorOf({ task_id_file: file, api_key: KEY }, env())
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]).toMatch(expected)
    expect(error.taskIds).toEqual([])
  })

  it('reports a bad file together with the other bad inputs', () => {
    expect(problemsOf({ task_id_file: 'gone.txt', api_key: KEY, interval: 'x' }, env())).toHaveLength(2)
  })
})

describe('readSettings: the API mode', () => {
  it('defaults to MemOS Cloud, with the cloud base URL and no user', () => {
    expect(settingsFrom({ task_id: 't', api_key: KEY })).toMatchObject({ api: 'cloud', userId: '', baseUrl: DEFAULT_BASE_URL })
  })

  it('self-hosted: takes the user, needs no key, and defaults to the docker quick start URL', () => {
    const settings = settingsFrom({ task_id: 't', api: 'self-hosted', user_id: ' ci-user ' })
    expect(settings).toMatchObject({ api: 'self-hosted', userId: 'ci-user', apiKey: '', baseUrl: SELF_HOSTED_BASE_URL })
  })

  it('self-hosted: MEMOS_BASE_URL still wins over the default, and MEMOS_API_KEY (a cloud key) is not sent', () => {
    const settings = settingsFrom(
      { task_id: 't', api: 'self-hosted', user_id: 'u' },
      { MEMOS_BASE_URL: 'http://memos:8000/product', MEMOS_API_KEY: KEY }
    )
    expect(settings).toMatchObject({ baseUrl: 'http://memos:8000/product', apiKey: '' })
  })

  it('self-hosted: an api_key input is sent', () => {
    expect(
      settingsFrom({ task_id: 't', api: 'self-hosted', user_id: 'u', api_key: KEY, base_url: 'https://memos.internal/product' }).apiKey
    ).toBe(KEY)
  })

  it('cloud: warns once that user_id is not used, and still runs', () => {
    const warnings: string[] = []
    const settings = readSettings(
      (name) => ({ task_id: 't', api_key: KEY, user_id: 'alice' })[name] ?? '',
      {},
      (message) => warnings.push(message)
    )
    expect(settings.userId).toBe('alice')
    expect(warnings).toEqual(["Input 'user_id' ('alice') is not used with 'api: cloud': MemOS Cloud finds a task by its id and the key."])
  })

  it.each([
    [
      'an unknown api',
      { api: 'on-prem', api_key: KEY },
      "Input 'api' is 'on-prem', but it must be 'cloud' (MemOS Cloud) or 'self-hosted' (the open-source server)."
    ],
    [
      'self-hosted without user_id',
      { api: 'self-hosted' },
      "Input 'user_id' is required with 'api: self-hosted': give the MemOS user the tasks were added for."
    ],
    [
      'self-hosted pointed at MemOS Cloud',
      { api: 'self-hosted', user_id: 'u', base_url: DEFAULT_BASE_URL },
      `Input 'base_url' is '${DEFAULT_BASE_URL}', MemOS Cloud, but 'api' is 'self-hosted': for the cloud, set 'api: cloud'.`
    ],
    [
      'self-hosted with a key over plain http to another host',
      { api: 'self-hosted', user_id: 'u', api_key: KEY, base_url: 'http://memos:8000/product' },
      "Input 'base_url' is 'http://memos:8000/product', but it must use https: with an 'api_key', plain http is allowed only to loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted."
    ],
    [
      'cloud over plain http to another host',
      { api_key: KEY, base_url: 'http://memos.example/v1' },
      "Input 'base_url' is 'http://memos.example/v1', but it must use https: http is allowed only for loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted."
    ],
    [
      'a scheme that is not http',
      { api: 'self-hosted', user_id: 'u', base_url: 'ftp://memos/product' },
      "Input 'base_url' is 'ftp://memos/product', but it must be an https:// (or http://) URL."
    ]
  ])('rejects %s, naming the input and the rule', (_name, inputs, problem) => {
    expect(problemsOf({ task_id: 't', ...inputs })).toEqual([problem])
  })

  it.each([
    ['a service container without a key', { base_url: 'http://memos:8000/product' }],
    ['loopback with a key', { base_url: 'http://127.0.0.1:8000/product', api_key: KEY }],
    ['https with a key', { base_url: 'https://memos.internal/product', api_key: KEY }]
  ])('self-hosted accepts %s', (_name, inputs) => {
    expect(settingsFrom({ task_id: 't', api: 'self-hosted', user_id: 'u', ...inputs }).api).toBe('self-hosted')
  })
})
