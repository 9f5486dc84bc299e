/**
 * The same floor as bench/toolkit-floor.ts, with the request sent through undici, the HTTP stack the action
 * sends with (as @actions/http-client's proxy dispatcher does): its first request waits for undici to compile
 * its HTTP parser (WebAssembly), which any action or `fetch` call on undici pays once per process.
 */
import * as core from '@actions/core'
import { request } from 'undici'

const baseUrl = core.getInput('base_url')
// No top-level await, as in the action's entry: it would make the bundler wrap every module in async machinery.
void request(`${baseUrl}/get/status`, {
  method: 'POST',
  headers: { Authorization: `Token ${core.getInput('api_key')}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ task_id: core.getInput('task_id') })
}).then((response) => response.body.dump())
