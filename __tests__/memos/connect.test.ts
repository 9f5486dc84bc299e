/**
 * connect(): the client for the chosen API, over real HTTP to the simulator, and the words the log and the
 * summary use for the server.
 */
import { connect } from '../../src/memos/connect.js'
import { USER_AGENT } from '../../src/shared/version.js'
import type { MemosSimulator } from '../../simulator/memos-simulator.js'
import { recordingLog, startSimulator, TEST_USER } from '../../testing/harness.js'
import { until } from '../../testing/until.js'

let simulator: MemosSimulator | undefined

afterEach(async () => {
  await simulator?.stop()
  simulator = undefined
})

const request = { timeoutMs: 2000, signal: new AbortController().signal }

describe('connect', () => {
  it.each([
    [
      'cloud',
      'https://memos.memtensor.cn/api/openmem/v1',
      'MemOS Cloud (memos.memtensor.cn)',
      'POST https://memos.memtensor.cn/api/openmem/v1/get/status'
    ],
    [
      'cloud',
      'https://api.memt.ai/platform/api/openmem/v1',
      'MemOS Cloud (api.memt.ai)',
      'POST https://api.memt.ai/platform/api/openmem/v1/get/status'
    ],
    [
      'self-hosted',
      'http://localhost:8000/product',
      'the self-hosted MemOS server at localhost:8000',
      'GET http://localhost:8000/product/scheduler/status'
    ],
    [
      'self-hosted',
      'https://memos.internal/product',
      'the self-hosted MemOS server at memos.internal',
      'GET https://memos.internal/product/scheduler/status'
    ]
  ] as const)('%s at %s is shown as "%s", asking %s', (api, baseUrl, serverName, endpoint) => {
    const connection = connect(
      { api, baseUrl, apiKey: '', userId: TEST_USER, stream: false, maxRequestsPerSecond: 20 },
      USER_AGENT,
      recordingLog()
    )
    try {
      expect(connection.serverName).toBe(serverName)
      expect(connection.endpoint).toBe(endpoint)
    } finally {
      connection.close()
    }
  })

  it('asks MemOS Cloud with POST /get/status and the key', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    const connection = connect(
      { api: 'cloud', baseUrl: simulator.baseUrl, apiKey: simulator.apiKey, userId: '', stream: true, maxRequestsPerSecond: 20 },
      USER_AGENT,
      recordingLog()
    )
    try {
      expect(await connection.source.getStatus('task-1', request)).toMatchObject({ kind: 'status', status: 'completed' })
      // The cloud has no wait stream, whatever `stream` says.
      expect(connection.hints).toBeUndefined()
    } finally {
      connection.close()
    }
    expect(simulator.statusRequests()).toEqual([expect.objectContaining({ method: 'POST', route: '/get/status', taskId: 'task-1' })])
  })

  it('asks a self-hosted server with GET /scheduler/status for the user, and listens to its wait stream when `stream` is on', async () => {
    simulator = await startSimulator({ api: 'self-hosted' })
    simulator.addTask('task-1', { durationMs: 0 })
    const settings = { api: 'self-hosted', baseUrl: simulator.baseUrl, apiKey: '', userId: TEST_USER, maxRequestsPerSecond: 20 } as const
    const streaming = connect({ ...settings, stream: true }, USER_AGENT, recordingLog())
    const polling = connect({ ...settings, stream: false }, USER_AGENT, recordingLog())
    try {
      expect(await streaming.source.getStatus('task-1', request)).toMatchObject({ kind: 'status', status: 'completed' })
      expect(streaming.hints).toBeDefined()
      expect(polling.hints).toBeUndefined()
    } finally {
      streaming.close()
      polling.close()
    }
    expect(simulator.statusRequests()).toEqual([
      expect.objectContaining({ method: 'GET', route: '/scheduler/status', taskId: 'task-1', userId: TEST_USER })
    ])
  })

  it('close() ends the kept-alive connection at once, so the process can exit', async () => {
    simulator = await startSimulator()
    simulator.addTask('task-1', { durationMs: 0 })
    const connection = connect(
      { api: 'cloud', baseUrl: simulator.baseUrl, apiKey: simulator.apiKey, userId: '', stream: false, maxRequestsPerSecond: 20 },
      USER_AGENT,
      recordingLog()
    )
    await connection.source.getStatus('task-1', request)
    expect(simulator.openConnections).toBe(1)
    connection.close()
    // The server keeps an idle connection for 30 s; closed by the client, it goes within moments.
    await until(() => simulator?.openConnections === 0, 'the connection closed', 5000)
    expect(simulator.openConnections).toBe(0)
  }, 15_000)
})
