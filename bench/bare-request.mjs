// The cold-start baseline: the same status request as the action's first one, from a bare node script
// with no libraries. Usage: node bench/bare-request.mjs BASE_URL KEY TASK_ID
import http from 'node:http'

const [baseUrl, key, taskId] = process.argv.slice(2)
const body = JSON.stringify({ task_id: taskId })
const request = http.request(`${baseUrl}/get/status`, {
  method: 'POST',
  headers: { Authorization: `Token ${key}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }
})
request.on('response', (response) => response.resume())
request.end(body)
