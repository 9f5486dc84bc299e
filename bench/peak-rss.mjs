// Preloaded into a measured process (node --import ./bench/peak-rss.mjs): as the process exits, writes its
// peak resident set size (VmHWM, in kB) to the file PEAK_RSS_FILE names. Sampling from outside would miss a
// peak in the last moments, where the outputs and the summary are built.
import { readFileSync, writeFileSync } from 'node:fs'

process.on('exit', () => {
  const status = readFileSync('/proc/self/status', 'utf8')
  writeFileSync(process.env.PEAK_RSS_FILE, /VmHWM:\s+(\d+)/.exec(status)?.[1] ?? '')
})
