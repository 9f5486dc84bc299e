/** The entry point the runner starts (dist/index.js is this file, bundled). */
import { run } from './main.js'

// Not a top-level await: that would make the bundler wrap every module in async machinery at start-up.
// run() never rejects: every failure ends in its outputs, summary and exit code.
void run()
