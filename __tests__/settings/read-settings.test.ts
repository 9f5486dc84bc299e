import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { InputError, readSettings } from '../../src/settings/read-settings.js'
import { DEFAULT_BASE_URL, SELF_HOSTED_BASE_URL } from '../../src/settings/settings.js'
import { MAX_TASK_IDS } from '../../src/settings/task-ids.js'
import { inputReader } from '../../testing/inputs.js'

const KEY = 'mpg-test-key-123456'

function settingsFrom(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  return readSettings(inputReader(inputs), env)
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
  it('applies the documented defaults, and returns every setting', () => {
    const settings = settingsFrom({ task_id: 'task-1', api_key: KEY })
    expect(settings).toEqual({
      taskIds: ['task-1'],
      api: 'cloud',
      userId: '',
      apiKey: KEY,
      baseUrl: DEFAULT_BASE_URL,
      baseUrlSource: 'default',
      timeoutMs: 600_000,
      intervalMs: 500,
      maxIntervalMs: 30_000,
      requestTimeoutMs: 30_000,
      notFoundGraceMs: 10_000,
      successStatuses: new Set(['completed']),
      failureStatuses: new Set(['failed', 'fail', 'error', 'cancelled', 'canceled']),
      failOnFailure: true,
      failOnTimeout: true,
      maxRequestsPerSecond: 20,
      failFast: true,
      stream: true
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
    ['a JSON array as toJSON() prints it', '[\n  "a",\n  "b"\n]', ['a', 'b']],
    ['a JSON array with blanks around it (a block scalar)', '  ["a", "b"]\n', ['a', 'b']],
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
      "Inputs 'interval' ('10s') and 'max_interval' ('5s') disagree"
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
    ['http://[0:0:0:0:0:0:0:1]:9/v1', 'http://[::1]:9/v1'],
    ['http://127.1:9/v1', 'http://127.0.0.1:9/v1'],
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
    const settings = readSettings(inputReader({ task_id: 't', api_key: KEY, user_id: 'alice' }), {}, (message) => warnings.push(message))
    expect(settings.userId).toBe('alice')
    expect(warnings).toEqual([
      "Input 'user_id' ('alice') is not used with 'api: cloud' (the default): MemOS Cloud finds a task by its id and the key. For the open-source server, set 'api: self-hosted'."
    ])
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

describe('readSettings: every message, word for word', () => {
  const idRule = "ids are letters, digits, '-', '_', '.' and ':' (at most 128)."
  const durationHint = 'Use seconds (600) or a duration such as 250ms, 90s, 5m or 1h30m.'

  it.each([
    [
      'no task id at all',
      { task_id: '' },
      "Input 'task_id' or 'task_id_file' is required: give the task_id that /add/message or /add/feedback returned (or, self-hosted, that you gave to /add), or a file of ids ('task_id' is '')."
    ],
    [
      'only separators, quoted on one line',
      { task_id: ' ,\n\t, ' },
      "Input 'task_id' or 'task_id_file' is required: give the task_id that /add/message or /add/feedback returned (or, self-hosted, that you gave to /add), or a file of ids ('task_id' is ' , , ')."
    ],
    [
      'an empty JSON array',
      { task_id: '[]' },
      "Input 'task_id' or 'task_id_file' is required: give the task_id that /add/message or /add/feedback returned (or, self-hosted, that you gave to /add), or a file of ids ('task_id' is '[]')."
    ],
    ['a JSON array of numbers', { task_id: ' [1,2]\n' }, "Input 'task_id' looks like a JSON array but is not one of strings: '[1,2]'."],
    [
      'a JSON array with one number among strings',
      { task_id: '["a", 1]' },
      `Input 'task_id' looks like a JSON array but is not one of strings: '["a", 1]'.`
    ],
    ['a JSON object', { task_id: '[{"id":"a"}]' }, `Input 'task_id' looks like a JSON array but is not one of strings: '[{"id":"a"}]'.`],
    ['a broken JSON array', { task_id: '["a", "b"' }, `Input 'task_id' looks like a JSON array but is not one of strings: '["a", "b"'.`],
    ['an id with a question mark', { task_id: 'ok,bad?' }, `Input 'task_id' has an invalid id 'bad?': ${idRule}`],
    ['an id that starts with a dash', { task_id: '-a' }, `Input 'task_id' has an invalid id '-a': ${idRule}`],
    ['an id that starts with a dot', { task_id: '.a' }, `Input 'task_id' has an invalid id '.a': ${idRule}`],
    [
      'an id of 129 characters',
      { task_id: `a${'b'.repeat(128)}` },
      `Input 'task_id' has an invalid id '${'a'.concat('b'.repeat(78))}…': ${idRule}`
    ],
    ['an invalid duration', { timeout: '10 minutes' }, `Input 'timeout' has an invalid duration '10 minutes'. ${durationHint}`],
    ['a timeout over 24h', { timeout: '86401' }, "Input 'timeout' is '86401', which is out of range: it must be between 0ms and 24h."],
    [
      'an interval under 100ms',
      { interval: '99ms' },
      "Input 'interval' is '99ms', which is out of range: it must be between 100ms and 24h."
    ],
    [
      'a request_timeout under 100ms',
      { request_timeout: '99ms' },
      "Input 'request_timeout' is '99ms', which is out of range: it must be between 100ms and 24h."
    ],
    [
      'a not_found_grace over 24h',
      { not_found_grace: '25h' },
      "Input 'not_found_grace' is '25h', which is out of range: it must be between 0ms and 24h."
    ],
    [
      'a max_interval over 24h',
      { max_interval: '24h1s' },
      "Input 'max_interval' is '24h1s', which is out of range: it must be between 100ms and 24h."
    ],
    [
      'a max_interval shorter than the default interval',
      { max_interval: '400ms' },
      "Input 'max_interval' is '400ms', shorter than 'interval' (500ms by default): raise 'max_interval', or lower 'interval' as well."
    ],
    [
      'an invalid max_interval, and nothing about the interval',
      { max_interval: 'x' },
      `Input 'max_interval' has an invalid duration 'x'. ${durationHint}`
    ],
    [
      'two statuses on both lists, in the order of success_statuses',
      { success_statuses: 'Done, completed', failure_statuses: 'COMPLETED,failed,done' },
      "Inputs 'success_statuses' and 'failure_statuses' both list 'done,completed'."
    ],
    [
      'an empty failure_statuses list',
      { failure_statuses: ',,' },
      "Input 'failure_statuses' is ',,', but it must list at least one status."
    ],
    [
      'a rate with a decimal point',
      { max_requests_per_second: '2.5' },
      "Input 'max_requests_per_second' is '2.5', but it must be a whole number from 1 to 1000."
    ],
    [
      'a rate of 0',
      { max_requests_per_second: '0' },
      "Input 'max_requests_per_second' is '0', but it must be a whole number from 1 to 1000."
    ],
    [
      'a rate over 1000',
      { max_requests_per_second: '1001' },
      "Input 'max_requests_per_second' is '1001', but it must be a whole number from 1 to 1000."
    ],
    [
      'a rate in exponent notation',
      { max_requests_per_second: '1e3' },
      "Input 'max_requests_per_second' is '1e3', but it must be a whole number from 1 to 1000."
    ],
    [
      'a rate in hex',
      { max_requests_per_second: '0x10' },
      "Input 'max_requests_per_second' is '0x10', but it must be a whole number from 1 to 1000."
    ],
    [
      'a signed rate',
      { max_requests_per_second: '+20' },
      "Input 'max_requests_per_second' is '+20', but it must be a whole number from 1 to 1000."
    ],
    [
      'a missing key',
      { api_key: '' },
      "Input 'api_key' is required: pass it from a secret (api_key: ${{ secrets.MEMOS_API_KEY }}) or set the MEMOS_API_KEY environment variable."
    ],
    [
      'a key of 7 characters',
      { api_key: '1234567' },
      "Input 'api_key' is only 7 characters long; check that the secret holds the whole key."
    ],
    [
      'a key with a tab inside',
      { api_key: 'mpg-abc\tdef-12345' },
      "Input 'api_key' contains whitespace or control characters; check how the secret was pasted."
    ],
    [
      'a key with a control character',
      { api_key: 'mpg-abc\u0001def-12345' },
      "Input 'api_key' contains whitespace or control characters; check how the secret was pasted."
    ],
    [
      'a key with the last control character',
      { api_key: 'mpg-abc\u001fdef-12345' },
      "Input 'api_key' contains whitespace or control characters; check how the secret was pasted."
    ],
    [
      'a key with DEL',
      { api_key: 'mpg-abc\u007fdef-12345' },
      "Input 'api_key' contains whitespace or control characters; check how the secret was pasted."
    ],
    [
      'a key with a non-breaking space',
      { api_key: 'mpg-abc\u00a0def-12345' },
      "Input 'api_key' contains whitespace or control characters; check how the secret was pasted."
    ],
    [
      'a base_url that is not a URL, with the cloud example',
      { base_url: 'memos.example.com/v1' },
      `Input 'base_url' is not a URL: 'memos.example.com/v1'. For 'api: cloud' it looks like ${DEFAULT_BASE_URL}.`
    ],
    [
      'a base_url that is not a URL, with the self-hosted example',
      { api: 'self-hosted', user_id: 'u', api_key: '', base_url: 'memos.internal/product' },
      "Input 'base_url' is not a URL: 'memos.internal/product'. For 'api: self-hosted' it looks like http://localhost:8000/product."
    ],
    [
      'a user name in the base_url',
      { base_url: 'https://user@memos.example.com' },
      "Input 'base_url' must not contain credentials: 'https://…@memos.example.com/'. Pass the key in 'api_key'."
    ],
    [
      'a password alone in the base_url',
      { base_url: 'https://:secret@memos.example.com:8443/v1' },
      "Input 'base_url' must not contain credentials: 'https://…@memos.example.com:8443/v1'. Pass the key in 'api_key'."
    ],
    [
      'a cloud base_url that is not http',
      { base_url: 'ws://memos.example.com/v1' },
      "Input 'base_url' is 'ws://memos.example.com/v1', but it must be an https:// (or http://) URL."
    ],
    [
      'a base_url with a query',
      { base_url: 'https://memos.example.com/v1?region=cn' },
      "Input 'base_url' is 'https://memos.example.com/v1?region=cn', but it must not have a query or fragment."
    ],
    [
      'a base_url with a fragment',
      { base_url: 'https://memos.example.com/v1#top' },
      "Input 'base_url' is 'https://memos.example.com/v1#top', but it must not have a query or fragment."
    ],
    [
      'http to a host that only starts like a loopback address',
      { base_url: 'http://127.0.0.1.example.com/v1' },
      "Input 'base_url' is 'http://127.0.0.1.example.com/v1', but it must use https: http is allowed only for loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted."
    ],
    [
      'http to a private address outside the loopback block',
      { base_url: 'http://10.127.0.1/v1' },
      "Input 'base_url' is 'http://10.127.0.1/v1', but it must use https: http is allowed only for loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted."
    ],
    [
      'http to a host whose name ends in localhost without the dot',
      { base_url: 'http://notlocalhost/v1' },
      "Input 'base_url' is 'http://notlocalhost/v1', but it must use https: http is allowed only for loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted."
    ],
    [
      'self-hosted pointed at the global MemOS Cloud',
      { api: 'self-hosted', user_id: 'u', base_url: 'https://api.memt.ai/platform/api/openmem/v1' },
      "Input 'base_url' is 'https://api.memt.ai/platform/api/openmem/v1', MemOS Cloud, but 'api' is 'self-hosted': for the cloud, set 'api: cloud'."
    ],
    [
      'a duration over two lines, quoted on one',
      { timeout: '10m\n5m' },
      "Input 'timeout' has an invalid duration '10m 5m'. Use seconds (600) or a duration such as 250ms, 90s, 5m or 1h30m."
    ],
    [
      'an api with a terminal escape, quoted without it',
      { api: 'cloud\u001b[2J' },
      "Input 'api' is 'cloud\uFFFD[2J', but it must be 'cloud' (MemOS Cloud) or 'self-hosted' (the open-source server)."
    ],
    [
      'an unknown api, quoted on one line',
      { api: 'on\n  prem' },
      "Input 'api' is 'on   prem', but it must be 'cloud' (MemOS Cloud) or 'self-hosted' (the open-source server)."
    ],
    [
      'cloud over plain http without a key: both problems at once',
      { api_key: '', base_url: 'http://memos.example/v1' },
      "Input 'api_key' is required: pass it from a secret (api_key: ${{ secrets.MEMOS_API_KEY }}) or set the MEMOS_API_KEY environment variable.\n" +
        "Input 'base_url' is 'http://memos.example/v1', but it must use https: http is allowed only for loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted."
    ],
    [
      'an unknown api and a base_url that is not a URL: the examples of both modes',
      { api: 'onprem', base_url: 'memos' },
      "Input 'api' is 'onprem', but it must be 'cloud' (MemOS Cloud) or 'self-hosted' (the open-source server).\n" +
        `Input 'base_url' is not a URL: 'memos'. For 'api: cloud' it looks like ${DEFAULT_BASE_URL}, for 'api: self-hosted' like ${SELF_HOSTED_BASE_URL}.`
    ]
  ])('%s', (_name, inputs, expected) => {
    expect(problemsOf({ task_id: 't', api_key: KEY, ...inputs }).join('\n')).toBe(expected)
  })

  it.each(['fail_on_failure', 'fail_on_timeout', 'fail_fast', 'stream'])("names %s when it is neither 'true' nor 'false'", (name) => {
    expect(problemsOf({ task_id: 't', api_key: KEY, [name]: 'yes' })).toEqual([
      `Input '${name}' is 'yes', but it must be 'true' or 'false'.`
    ])
  })

  it.each(['truex', 'untrue', 'tRue', 'falsey', 'notfalse', 'fAlse', '1', '0'])(
    "takes only 'true' or 'false' in one of three spellings, not %p",
    (raw) => {
      expect(problemsOf({ task_id: 't', api_key: KEY, fail_fast: raw })).toEqual([
        `Input 'fail_fast' is '${raw}', but it must be 'true' or 'false'.`
      ])
    }
  )

  it('names five invalid ids and counts the rest', () => {
    const problems = problemsOf({ task_id: 'ok,a?,b?,c?,d?,e?,f?,g?', api_key: KEY })
    expect(problems).toEqual([
      ...['a?', 'b?', 'c?', 'd?', 'e?'].map((id) => `Input 'task_id' has an invalid id '${id}': ${idRule}`),
      "Input 'task_id' has 2 more invalid ids."
    ])
  })

  it('names exactly five invalid ids without a count', () => {
    expect(problemsOf({ task_id: 'a?,b?,c?,d?,e?', api_key: KEY })).toHaveLength(5)
  })

  it('says "Invalid inputs" and lists each problem when there are several, and gives one problem alone', () => {
    const several = errorOf({ task_id: 't', api_key: KEY, timeout: 'x', fail_fast: 'maybe' })
    expect(several.name).toBe('InputError')
    expect(several.message).toBe(
      `Invalid inputs:\n- Input 'timeout' has an invalid duration 'x'. ${durationHint}\n- Input 'fail_fast' is 'maybe', but it must be 'true' or 'false'.`
    )
    expect(errorOf({ task_id: 't', api_key: KEY, fail_fast: 'maybe' }).message).toBe(
      "Input 'fail_fast' is 'maybe', but it must be 'true' or 'false'."
    )
  })
})

describe('readSettings: the bounds, accepted', () => {
  const read = (inputs: Record<string, string>) => settingsFrom({ task_id: 't', api_key: KEY, ...inputs })

  it.each([
    ['a timeout of 24h', { timeout: '24h' }, { timeoutMs: 86_400_000 }],
    ['a timeout of 86400 seconds', { timeout: '86400' }, { timeoutMs: 86_400_000 }],
    ['an interval of 100ms', { interval: '100ms', max_interval: '100ms' }, { intervalMs: 100, maxIntervalMs: 100 }],
    ['a request_timeout of 100ms', { request_timeout: '100ms' }, { requestTimeoutMs: 100 }],
    ['a not_found_grace of 0', { not_found_grace: '0' }, { notFoundGraceMs: 0 }],
    ['a max_interval of 24h', { max_interval: '24h' }, { maxIntervalMs: 86_400_000 }],
    ['an interval equal to max_interval', { interval: '30s', max_interval: '30s' }, { intervalMs: 30_000, maxIntervalMs: 30_000 }],
    ['a rate of 1', { max_requests_per_second: '1' }, { maxRequestsPerSecond: 1 }],
    ['a rate of 1000', { max_requests_per_second: '1000' }, { maxRequestsPerSecond: 1000 }],
    ['a key of 8 characters', { api_key: '12345678' }, { apiKey: '12345678' }],
    ['an api in capitals', { api: 'CLOUD' }, { api: 'cloud' }],
    ['http to any 127.x.y.z address', { base_url: 'http://127.255.0.254:8080/v1' }, { baseUrl: 'http://127.255.0.254:8080/v1' }],
    [
      'a base_url with several trailing slashes',
      { base_url: 'https://memos.example.com/v1//' },
      { baseUrl: 'https://memos.example.com/v1' }
    ],
    ['a base_url at the root of its host', { base_url: 'https://memos.example.com' }, { baseUrl: 'https://memos.example.com' }]
  ])('%s', (_name, inputs, expected) => {
    expect(read(inputs)).toMatchObject(expected)
  })

  it.each([
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['true', true],
    ['True', true],
    ['TRUE', true],
    [' false ', false]
  ])('reads the boolean %p as %p, each input on its own', (raw, value) => {
    for (const [name, field] of [
      ['fail_on_failure', 'failOnFailure'],
      ['fail_on_timeout', 'failOnTimeout'],
      ['fail_fast', 'failFast'],
      ['stream', 'stream']
    ] as const) {
      const settings = read({ [name]: raw })
      expect(settings[field]).toBe(value)
      for (const other of ['failOnFailure', 'failOnTimeout', 'failFast', 'stream'] as const) {
        if (other !== field) expect(settings[other]).toBe(true)
      }
    }
  })

  it('reads each duration from its own input', () => {
    expect(read({ timeout: '1h', interval: '2s', max_interval: '3m', request_timeout: '4s', not_found_grace: '5s' })).toMatchObject({
      timeoutMs: 3_600_000,
      intervalMs: 2000,
      maxIntervalMs: 180_000,
      requestTimeoutMs: 4000,
      notFoundGraceMs: 5000
    })
  })

  it('reads statuses case-insensitively, trimmed, without blank entries', () => {
    const settings = read({ success_statuses: ' Done, ,COMPLETED ', failure_statuses: 'Failed,,Timed_Out' })
    expect([...settings.successStatuses]).toEqual(['done', 'completed'])
    expect([...settings.failureStatuses]).toEqual(['failed', 'timed_out'])
  })

  it('trims the inputs and the environment variables', () => {
    const settings = settingsFrom(
      {
        task_id: ' t ',
        api: ' self-hosted ',
        user_id: 'u',
        api_key: ` ${KEY} `,
        base_url: ' https://memos.internal/product ',
        fail_fast: ' false '
      },
      {}
    )
    expect(settings).toMatchObject({
      taskIds: ['t'],
      api: 'self-hosted',
      apiKey: KEY,
      baseUrl: 'https://memos.internal/product',
      failFast: false
    })
    expect(
      settingsFrom({ task_id: 't' }, { MEMOS_API_KEY: ` ${KEY}\n`, MEMOS_BASE_URL: ' https://api.memt.ai/platform/api/openmem/v1 ' })
    ).toMatchObject({
      apiKey: KEY,
      baseUrl: 'https://api.memt.ai/platform/api/openmem/v1'
    })
  })

  it('takes a blank base_url or MEMOS_BASE_URL as not set', () => {
    expect(settingsFrom({ task_id: 't', api_key: KEY, base_url: ' \n' }, { MEMOS_BASE_URL: '  ' }).baseUrl).toBe(DEFAULT_BASE_URL)
  })

  it('reads ids that start with any letter or digit', () => {
    expect(read({ task_id: 'A,Z,a,z,0,9,xAZaz09' }).taskIds).toEqual(['A', 'Z', 'a', 'z', '0', '9', 'xAZaz09'])
  })

  it('reads ids of 128 characters and ids with every allowed sign', () => {
    const long = `a${'b'.repeat(127)}`
    expect(read({ task_id: `${long},A9.b_c:d-e` }).taskIds).toEqual([long, 'A9.b_c:d-e'])
  })

  it('trims the strings of a JSON array and skips blank ones', () => {
    expect(read({ task_id: '[" a ", "", "b\\n"]' }).taskIds).toEqual(['a', 'b'])
  })
})

describe('readSettings: user_id', () => {
  const warningsFor = (inputs: Record<string, string>): string[] => {
    const warnings: string[] = []
    readSettings(inputReader(inputs), {}, (message) => warnings.push(message))
    return warnings
  }

  it.each([
    ['cloud without user_id', { task_id: 't', api_key: KEY }],
    ['self-hosted with user_id', { task_id: 't', api: 'self-hosted', user_id: 'u' }]
  ])('gives no warning for %s', (_name, inputs) => {
    expect(warningsFor(inputs)).toEqual([])
  })

  it('quotes a long user_id in the cloud warning on one line, cut at 80 characters', () => {
    const userId = `${'u'.repeat(40)}\n${'v'.repeat(60)}`
    expect(warningsFor({ task_id: 't', api_key: KEY, user_id: userId })).toEqual([
      `Input 'user_id' ('${'u'.repeat(40)} ${'v'.repeat(38)}…') is not used with 'api: cloud' (the default): MemOS Cloud finds a task by its id and the key. For the open-source server, set 'api: self-hosted'.`
    ])
  })

  it('quotes a user_id of exactly 80 characters whole', () => {
    const userId = 'u'.repeat(80)
    expect(warningsFor({ task_id: 't', api_key: KEY, user_id: userId })).toEqual([
      `Input 'user_id' ('${userId}') is not used with 'api: cloud' (the default): MemOS Cloud finds a task by its id and the key. For the open-source server, set 'api: self-hosted'.`
    ])
  })
})

describe('task_id_file: where it is read and how large it may be', () => {
  let workspace: string
  const env = (): NodeJS.ProcessEnv => ({ GITHUB_WORKSPACE: workspace })

  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'memos-workspace-'))
  })

  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true })
  })

  it('reads a path relative to the working directory when GITHUB_WORKSPACE is not set (a local run)', () => {
    writeFileSync(join(workspace, 'ids.txt'), 'a\nb\n')
    const relativePath = relative(process.cwd(), join(workspace, 'ids.txt'))
    expect(settingsFrom({ task_id_file: relativePath, api_key: KEY }, {}).taskIds).toEqual(['a', 'b'])
  })

  it('trims the file name', () => {
    writeFileSync(join(workspace, 'ids.txt'), 'a\n')
    expect(settingsFrom({ task_id_file: ' ids.txt\n', api_key: KEY }, env()).taskIds).toEqual(['a'])
  })

  it('names a file that holds no ids in full', () => {
    writeFileSync(join(workspace, 'blank.txt'), '\n , \n')
    expect(problemsOf({ task_id_file: 'blank.txt', api_key: KEY }, env())).toEqual([
      "Input 'task_id' or 'task_id_file' is required: give the task_id that /add/message or /add/feedback returned (or, self-hosted, that you gave to /add), or a file of ids ('task_id_file' ('blank.txt') holds no ids)."
    ])
  })

  it('reads a file of exactly 4 MiB, and refuses one byte more', () => {
    const limit = 4 * 1024 * 1024
    writeFileSync(join(workspace, 'padded.txt'), `a${'\n'.repeat(limit - 1)}`)
    expect(settingsFrom({ task_id_file: 'padded.txt', api_key: KEY }, env()).taskIds).toEqual(['a'])
    writeFileSync(join(workspace, 'padded.txt'), `a${'\n'.repeat(limit)}`)
    expect(problemsOf({ task_id_file: 'padded.txt', api_key: KEY }, env())).toEqual([
      `Input 'task_id_file' is 'padded.txt', which holds ${limit + 1} bytes: far more than 10000 ids take. Check the path.`
    ])
  })

  it('takes ids of exactly 512 KiB together, and refuses one character more', () => {
    // 4096 ids of 128 characters: 524288 characters.
    const ids = Array.from({ length: 4096 }, (_, index) => `${String(index).padStart(4, '0')}${'x'.repeat(124)}`)
    writeFileSync(join(workspace, 'ids.txt'), ids.join('\n'))
    expect(settingsFrom({ task_id_file: 'ids.txt', api_key: KEY }, env()).taskIds).toHaveLength(4096)
    expect(problemsOf({ task_id: 'y', task_id_file: 'ids.txt', api_key: KEY }, env())).toEqual([
      "Inputs 'task_id' and 'task_id_file' hold more than 512 KiB of ids; split them into smaller steps."
    ])
  })

  it('says "no such file" for a missing file, with the full path it tried', () => {
    expect(problemsOf({ task_id_file: 'gone.txt', api_key: KEY }, env())).toEqual([
      `Input 'task_id_file' is 'gone.txt', which cannot be read (no such file): ${join(workspace, 'gone.txt')}.`
    ])
  })
})

describe('readSettings: ids that a failed step wrote instead of an id', () => {
  const standIn = (source: string, quoted: string): string =>
    `${source} has the id ${quoted}, which is what a script writes for a missing value or an object, not a task id. ` +
    "The step that produced it probably failed: for example, MemOS answered with an error such as a bad API key, so '.data.task_id' was null. Check that step's log."

  it.each([
    ['null, as jq -r .data.task_id prints an error answer', 'null', "'null'"],
    ['undefined, from JavaScript', 'undefined', "'undefined'"],
    ['None, from Python', 'None', "'None'"],
    ['nil, from Ruby, Lua or Go', 'nil', "'nil'"],
    ['NULL in capitals', 'NULL', "'NULL'"],
    ['Undefined in another case', 'Undefined', "'Undefined'"],
    ['an empty JSON string', '""', `'""'`],
    ['an empty string in single quotes', "''", "''''"],
    ['an object written as text, read whole before the split at spaces', '[object Object]', "'[object Object]'"],
    ['another object type written as text', '[object Undefined]', "'[object Undefined]'"],
    ['the same stand-in twice, named once', 'null, null', "'null'"],
    ['null in a JSON array', '[null]', "'null'"],
    ['"null" in a JSON array', '["null"]', "'null'"],
    ['an object text in a JSON array', '["[object Object]"]', "'[object Object]'"],
    ['a stand-in on a line of its own, with blanks around it', '\n  null \n', "'null'"]
  ])('%s', (_name, raw, quoted) => {
    expect(problemsOf({ task_id: raw, api_key: KEY })).toEqual([standIn("Input 'task_id'", quoted)])
  })

  it('names every stand-in of a list in one message, among good ids, and takes nothing else for one', () => {
    expect(problemsOf({ task_id: 'task-1, null, [object Object],task-2\nNone', api_key: KEY })).toEqual([
      "Input 'task_id' has the ids 'null', '[object Object]', 'None', which are what a script writes for a missing value or an object, not task ids. " +
        "The step that produced them probably failed: for example, MemOS answered with an error such as a bad API key, so '.data.task_id' was null. Check that step's log."
    ])
  })

  it('reports a stand-in and an invalid id each on its own', () => {
    expect(problemsOf({ task_id: 'null,bad?', api_key: KEY })).toEqual([
      standIn("Input 'task_id'", "'null'"),
      "Input 'task_id' has an invalid id 'bad?': ids are letters, digits, '-', '_', '.' and ':' (at most 128)."
    ])
  })

  it('still says that a broken JSON array is one, though it starts like an object text', () => {
    expect(problemsOf({ task_id: '[objects]', api_key: KEY })).toEqual([
      "Input 'task_id' looks like a JSON array but is not one of strings: '[objects]'."
    ])
  })

  it('takes an object text that is not at the start as part of the list', () => {
    expect(problemsOf({ task_id: 'task-1 [object Object]', api_key: KEY })).toEqual([standIn("Input 'task_id'", "'[object Object]'")])
  })

  it.each(['nullable', 'none-1', 'nil.2', 'undefined_task', 'object', 'NULL0', 'isnull', 'task-none'])(
    'takes %p, which only contains a stand-in, as an id',
    (id) => {
      expect(settingsFrom({ task_id: id, api_key: KEY }).taskIds).toEqual([id])
    }
  )

  it('finds stand-ins in a task_id_file too, naming the file', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'memos-workspace-'))
    try {
      writeFileSync(join(workspace, 'ids.txt'), 'task-1\nnull\n')
      expect(problemsOf({ task_id_file: 'ids.txt', api_key: KEY }, { GITHUB_WORKSPACE: workspace })).toEqual([
        standIn("Input 'task_id_file' ('ids.txt')", "'null'")
      ])
    } finally {
      rmSync(workspace, { recursive: true, force: true })
    }
  })
})

describe('readSettings: a typo in api blames only api', () => {
  const apiProblem = (raw: string): string =>
    `Input 'api' is '${raw}', but it must be 'cloud' (MemOS Cloud) or 'self-hosted' (the open-source server).`
  const warningsOf = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): string[] => {
    const warnings: string[] = []
    try {
      readSettings(
        (name) => inputs[name] ?? '',
        env,
        (message) => warnings.push(message)
      )
    } catch {
      // The warnings are the point here.
    }
    return warnings
  }

  it.each([
    ['with a user_id and no key, as for the open-source server', { api: 'selfhosted', user_id: 'ci-user' }, {}],
    ['without a user_id or a key', { api: 'selfhosted' }, {}],
    ['with plain http to a service container and a key', { api: 'selfhosted', base_url: 'http://memos:8000/product', api_key: KEY }, {}],
    ['with a MemOS Cloud base_url', { api: 'self_hosted', user_id: 'u', base_url: DEFAULT_BASE_URL }, {}],
    ['with a short key in MEMOS_API_KEY, which no mode sends for sure', { api: 'selfhosted', user_id: 'u' }, { MEMOS_API_KEY: 'abc' }]
  ])('%s', (_name, inputs, env) => {
    expect(problemsOf({ task_id: 't', ...inputs }, env)).toEqual([apiProblem(inputs.api)])
    expect(warningsOf({ task_id: 't', ...inputs }, env)).toEqual([])
  })

  it('still reports the inputs that are wrong in either mode', () => {
    expect(
      problemsOf({ task_id: 't', api: 'selfhosted', api_key: 'abc', base_url: 'https://u:p@memos.internal/product?x=1', timeout: 'x' })
    ).toEqual([
      apiProblem('selfhosted'),
      "Input 'api_key' is only 3 characters long; check that the secret holds the whole key.",
      "Input 'base_url' must not contain credentials: 'https://…@memos.internal/product'. Pass the key in 'api_key'.",
      "Input 'timeout' has an invalid duration 'x'. Use seconds (600) or a duration such as 250ms, 90s, 5m or 1h30m."
    ])
    expect(problemsOf({ task_id: 't', api: 'selfhosted', base_url: 'ftp://memos/product' })).toEqual([
      apiProblem('selfhosted'),
      "Input 'base_url' is 'ftp://memos/product', but it must be an https:// (or http://) URL."
    ])
  })

  it("says 'the default' when a user_id comes without an api, and keeps it short when api is 'cloud'", () => {
    expect(warningsOf({ task_id: 't', api_key: KEY, user_id: 'alice', api: 'cloud' })).toEqual([
      "Input 'user_id' ('alice') is not used with 'api: cloud': MemOS Cloud finds a task by its id and the key."
    ])
  })
})

describe('readSettings: interval, max_interval and timeout', () => {
  const warningsOf = (inputs: Record<string, string>): string[] => {
    const warnings: string[] = []
    readSettings(
      (name) => ({ task_id: 't', api_key: KEY, ...inputs })[name] ?? '',
      {},
      (message) => warnings.push(message)
    )
    return warnings
  }

  it.each([
    [
      'an interval over the default max_interval: names interval, and says max_interval can be raised',
      { interval: '1m' },
      "Input 'interval' is '1m', longer than 'max_interval' (30s by default): shorten 'interval', or raise 'max_interval' as well."
    ],
    [
      'values with blanks around them: quoted trimmed, and a blank max_interval is the default',
      { interval: ' 1m\n', max_interval: ' ' },
      "Input 'interval' is '1m', longer than 'max_interval' (30s by default): shorten 'interval', or raise 'max_interval' as well."
    ],
    [
      'both set the wrong way round: names both',
      { interval: '10s', max_interval: '5s' },
      "Inputs 'interval' ('10s') and 'max_interval' ('5s') disagree: the wait between checks grows from 'interval' up to 'max_interval', so 'interval' must not be longer."
    ],
    [
      'an interval out of range: only its own problem',
      { interval: '25h' },
      "Input 'interval' is '25h', which is out of range: it must be between 100ms and 24h."
    ],
    [
      'a max_interval out of range: only its own problem',
      { interval: '2s', max_interval: '10ms' },
      "Input 'max_interval' is '10ms', which is out of range: it must be between 100ms and 24h."
    ]
  ])('%s', (_name, inputs, problem) => {
    expect(problemsOf({ task_id: 't', api_key: KEY, ...inputs })).toEqual([problem])
  })

  it.each([
    [
      'the cloud',
      { interval: '1m', max_interval: '1m', timeout: '30s' },
      "Input 'interval' ('1m') is longer than 'timeout' ('30s'): a running task is checked when the wait starts and once more just before the timeout, not in between. For checks in between, shorten 'interval'."
    ],
    [
      'self-hosted with the wait stream',
      { api: 'self-hosted', user_id: 'u', api_key: '', interval: '45s', max_interval: '1m', timeout: '40s' },
      "Input 'interval' ('45s') is longer than 'timeout' ('40s'): a running task is checked when the wait starts and once more just before the timeout, in between only when the server's wait stream says a task may have finished. For checks in between, shorten 'interval'."
    ],
    [
      'self-hosted without the wait stream',
      { api: 'self-hosted', user_id: 'u', api_key: '', interval: '45s', max_interval: '1m', timeout: '40s', stream: 'false' },
      "Input 'interval' ('45s') is longer than 'timeout' ('40s'): a running task is checked when the wait starts and once more just before the timeout, not in between. For checks in between, shorten 'interval'."
    ]
  ])('warns when interval is longer than timeout: %s', (_name, inputs, warning) => {
    expect(warningsOf(inputs)).toEqual([warning])
  })

  it.each([
    ['timeout 0, a single check anyway', { interval: '1m', max_interval: '1m', timeout: '0' }],
    ['an interval equal to the timeout', { interval: '30s', timeout: '30s' }],
    ['the defaults', {}]
  ])('gives no warning for %s', (_name, inputs) => {
    expect(warningsOf(inputs)).toEqual([])
  })

  it('gives no warning when the interval has a problem of its own', () => {
    const warnings: string[] = []
    expect(() =>
      readSettings(
        (name) => ({ task_id: 't', api_key: KEY, interval: '25h', max_interval: '24h', timeout: '1h' })[name] ?? '',
        {},
        (message) => warnings.push(message)
      )
    ).toThrow(InputError)
    expect(warnings).toEqual([])
  })
})

describe('readSettings: a value from the environment is named as such', () => {
  it.each([
    [
      'a key of one character, in the singular',
      { api_key: 'x' },
      {},
      "Input 'api_key' is only 1 character long; check that the secret holds the whole key."
    ],
    [
      'a short MEMOS_API_KEY',
      { api_key: '' },
      { MEMOS_API_KEY: 'abc' },
      'The MEMOS_API_KEY environment variable is only 3 characters long; check that the secret holds the whole key.'
    ],
    [
      'a MEMOS_API_KEY with a space inside',
      { api_key: '' },
      { MEMOS_API_KEY: 'mpg-abc def-12345' },
      'The MEMOS_API_KEY environment variable contains whitespace or control characters; check how the secret was pasted.'
    ],
    [
      'a MEMOS_BASE_URL that is not a URL',
      {},
      { MEMOS_BASE_URL: 'memos.example.com/v1' },
      `The MEMOS_BASE_URL environment variable is not a URL: 'memos.example.com/v1'. For 'api: cloud' it looks like ${DEFAULT_BASE_URL}.`
    ],
    [
      'a MEMOS_BASE_URL over plain http',
      {},
      { MEMOS_BASE_URL: 'http://memos.example.com/v1' },
      "The MEMOS_BASE_URL environment variable is 'http://memos.example.com/v1', but it must use https: http is allowed only for loopback hosts such as 127.0.0.1, so the key never crosses a network unencrypted."
    ]
  ])('%s', (_name, inputs, env, problem) => {
    expect(problemsOf({ task_id: 't', api_key: KEY, ...inputs }, env)).toEqual([problem])
  })

  it.each([
    ['the input', { base_url: 'https://memos.example.com/v1' }, { MEMOS_BASE_URL: 'https://other.example.com/v1' }, 'input'],
    ['MEMOS_BASE_URL', {}, { MEMOS_BASE_URL: 'https://other.example.com/v1' }, 'environment'],
    ['neither: the cloud default', {}, {}, 'default'],
    ['neither: the self-hosted default', { api: 'self-hosted', user_id: 'u', api_key: '' }, {}, 'default']
  ])('records where base_url came from: %s', (_name, inputs, env, source) => {
    expect(settingsFrom({ task_id: 't', api_key: KEY, ...inputs }, env).baseUrlSource).toBe(source)
  })
})
